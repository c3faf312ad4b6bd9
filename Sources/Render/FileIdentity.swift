import Foundation

/// A file or folder by device and inode: two paths name the same file (./a and a, a hard link, a
/// symlink and its target) exactly when these are equal. Strings cannot tell.
public struct FileIdentity: Equatable {
    public var device: UInt64
    public var inode: UInt64

    /// nil when nothing is at `path` (stat follows symlinks: a link names what it points at).
    public init?(_ path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev); inode = UInt64(st.st_ino)
    }
}

/// A file the render reads, with how the user named it: "the input", "--schedule", "--palette", "--guide".
public struct ReadFile {
    public var option: String
    public var path: String

    public init(option: String, path: String) { self.option = option; self.path = path }
}

/// A path the render writes, with what it is (an option, "-o", or a description, "the settings
/// record of -o out.mp4") and the option that chooses it ("-o", "--frames-dir").
public struct WrittenPath {
    public var what: String
    public var path: String
    public var choose: String

    public init(what: String, path: String, choose: String) { self.what = what; self.path = path; self.choose = choose }

    /// "-o out.mp4", or "out.mp4.json (the settings record of -o out.mp4)".
    public var described: String { what.hasPrefix("-") ? "\(what) \(path)" : "\(path) (\(what))" }
}

extension Array where Element == ReadFile {
    /// Refuses, naming both, when `written` is one of these files: writing it would destroy what the
    /// render reads, and --overwrite does not change that.
    public func refuse(_ written: WrittenPath) throws {
        guard let out = FileIdentity(written.path) else { return }
        if let read = first(where: { FileIdentity($0.path) == out }) {
            var isDir: ObjCBool = false
            let kind = FileManager.default.fileExists(atPath: written.path, isDirectory: &isDir) && isDir.boolValue ? "folder" : "file"
            throw RequestError.outputIsInput(written: written.described, kind: kind, read: read.option, input: read.path,
                                             choose: written.choose)
        }
    }
}
