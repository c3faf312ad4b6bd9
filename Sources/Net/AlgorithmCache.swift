import Files
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which convolution algorithm won when timed, per machine and layer shape, kept on disk so that each
/// shape is timed once per machine: `$DREAMVIDEO_CACHE/convolution-algorithms.json`, else
/// `${XDG_CACHE_HOME:-$HOME/.cache}/dreamvideo/convolution-algorithms.json` (beside models/).
/// A machine is its CPU (family, model, stepping, name) and the oneDNN version: the winner differs
/// between CPUs (Winograd won on one thread on a Zen 5 host and on two on a Zen 4 one). A file that
/// cannot be read or parsed is ignored and rewritten; it is replaced by writing a new file (O_EXCL,
/// not following symlinks) and renaming it over the old one, so a reader never sees half a file.
public struct AlgorithmCache: Sendable {
    public var url: URL
    /// The CPU and library this process runs on: the key of its entries.
    public var machine: String

    public struct Entry: Codable, Equatable, Sendable {
        public var choice: String
        /// Milliseconds per run of each candidate when measured.
        public var milliseconds: [String: Double]

        public init(choice: String, milliseconds: [String: Double]) {
            self.choice = choice
            self.milliseconds = milliseconds
        }
    }

    private struct File: Codable {
        var format: Int
        var machines: [String: [String: Entry]]
    }

    /// Anything larger is not ours (a full file holds a few hundred short entries).
    static let maxBytes = 4 << 20

    public init(url: URL, machine: String) {
        self.url = url
        self.machine = machine
    }

    public static func defaultURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        func nonEmpty(_ k: String) -> String? { environment[k].flatMap { $0.isEmpty ? nil : $0 } }
        let dir = nonEmpty("DREAMVIDEO_CACHE").map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? URL(fileURLWithPath: nonEmpty("XDG_CACHE_HOME") ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.cache"), isDirectory: true)
                .appendingPathComponent("dreamvideo", isDirectory: true)
        return dir.appendingPathComponent("convolution-algorithms.json")
    }

    /// "AMD EPYC 9R14 (family 25 model 17 stepping 1)" from /proc/cpuinfo.
    public static func cpuName(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> String {
        var fields: [String: String] = [:]
        for line in (cpuinfo ?? "").split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }   // the first processor's block is enough
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        guard let name = fields["model name"] else { return "unknown CPU" }
        return "\(name) (family \(fields["cpu family"] ?? "?") model \(fields["model"] ?? "?") stepping \(fields["stepping"] ?? "?"))"
    }

    /// This machine's entries; a missing, unreadable or damaged file gives none.
    public func load() -> [String: Entry] {
        readFile()?.machines[machine] ?? [:]
    }

    private func readFile() -> File? {
        // A link, a FIFO or a file past the bound is not this cache's: ignored, and replaced on save.
        guard let bytes = try? BoundedFile.read(url.path, limit: Self.maxBytes, followingSymlinks: false),
              let file = try? JSONDecoder().decode(File.self, from: Data(bytes)), file.format == 1 else { return nil }
        return file
    }

    /// Adds `entries` to this machine's (the file's other machines are kept) and writes the file.
    public func save(_ entries: [String: Entry]) throws {
        var file = readFile() ?? File(format: 1, machines: [:])
        file.machines[machine, default: [:]].merge(entries) { _, new in new }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(file)
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let temporary = dir.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AlgorithmCacheError.write(temporary, String(cString: strerror(errno))) }
        var written = 0
        let ok = data.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n <= 0 { return false }
                written += n
            }
            return true
        }
        let closed = close(fd) == 0
        guard ok, closed, rename(temporary, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw AlgorithmCacheError.write(url.path, reason)
        }
    }
}

public enum AlgorithmCacheError: Error, CustomStringConvertible {
    case write(String, String)

    public var description: String {
        switch self {
        case .write(let path, let reason):
            return "cannot write the convolution algorithm cache \(path): \(reason); set DREAMVIDEO_CACHE to a writable folder"
        }
    }
}
