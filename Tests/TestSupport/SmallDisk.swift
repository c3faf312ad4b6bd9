import Foundation

/// A folder that fills after about `bytes`, for the tests of a disk that fills mid-render.
///
/// Where mount is allowed (root, or a container with CAP_SYS_ADMIN: this machine and CI) it is a
/// tmpfs of that size: every file in it shares the space, a write past it fails with ENOSPC.
/// Elsewhere (or with DREAMVIDEO_TEST_NO_MOUNT=1, to try this path where mount works) the program
/// runs under RLIMIT_FSIZE of `bytes` (prlimit, util-linux, no privilege needed): a file that grows
/// past it fails with EFBIG, which fills the one growing file (the video) but never a folder of
/// small files; `fillsFolders` says which, so a test that needs a folder to fill fails loudly,
/// saying why, instead of skipping.
public final class SmallDisk {
    public let path: String
    public let mounted: Bool
    /// The per-file limit the program runs under when not mounted.
    public private(set) var fileSizeLimit: Int?
    public let why: String

    /// A full folder of small files (PNGs) is only possible on a real small file system.
    public var fillsFolders: Bool { mounted }

    /// `bytes` for a tmpfs; `fileSizeLimit` (default `bytes`) for a limit on each file instead.
    public init(at path: String, bytes: Int, fileSizeLimit limit: Int? = nil) throws {
        let limit = limit ?? bytes
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        if ProcessInfo.processInfo.environment["DREAMVIDEO_TEST_NO_MOUNT"] == nil {
            let m = try runProcess(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", path])
            if m.status == 0 {
                mounted = true
                why = "a \(bytes)-byte tmpfs"
                return
            }
            why = "mount is not allowed here (\(m.stderr.trimmingCharacters(in: .whitespacesAndNewlines))): a file-size limit (RLIMIT_FSIZE) of \(limit) bytes instead"
        } else {
            why = "DREAMVIDEO_TEST_NO_MOUNT is set: a file-size limit (RLIMIT_FSIZE) of \(limit) bytes instead of a tmpfs"
        }
        mounted = false
        fileSizeLimit = limit
    }

    deinit { unmount() }

    /// `executable args` as it must be started to meet this disk's limit.
    public func command(_ executable: URL, _ args: [String]) throws -> (URL, [String]) {
        guard let limit = fileSizeLimit else { return (executable, args) }
        return (try tool("prlimit"), ["--fsize=\(limit)", executable.path] + args)
    }

    /// Frees space: a bigger tmpfs (its files stay), or no limit.
    public func grow(to bytes: Int) throws {
        if mounted {
            let m = try runProcess(URL(fileURLWithPath: "/bin/mount"), ["-o", "remount,size=\(bytes)", path])
            guard m.status == 0 else { throw Problem("cannot grow the tmpfs at \(path): \(m.stderr)") }
        } else {
            fileSizeLimit = nil
        }
    }

    public func unmount() {
        if mounted { _ = try? runProcess(URL(fileURLWithPath: "/bin/umount"), [path]) }
    }
}
