import Crypto
import Foundation

/// SHA-256 is swift-crypto's (BoringSSL underneath), under this name so that Net's users need not
/// import Crypto. What is added here: hex digests, and a file hashed in pieces.
public typealias SHA256 = Crypto.SHA256

extension Crypto.SHA256 {
    /// The hex digest of `bytes`.
    public static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var hash = SHA256()
        hash.update(bytes)
        return hash.hexDigest()
    }

    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(bufferPointer: UnsafeRawBufferPointer($0)) }
        if done == nil { update(data: Array(bytes)) }
    }

    public mutating func update(_ raw: UnsafeRawBufferPointer) { update(bufferPointer: raw) }

    /// The digest of what was fed so far, as 64 lowercase hex digits.
    public func hexDigest() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in finalize() { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The SHA-256 of a file's content, read in 1 MiB pieces: a video input can be gigabytes, and a
    /// render only needs its hash (for the settings record), not its bytes in memory. A folder (a
    /// video given as a folder of frames) hashes each regular file's name and content in name order.
    /// nil when the path cannot be read.
    public static func hex(ofFileAt path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        var hash = SHA256()
        if st.st_mode & S_IFMT == S_IFDIR {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return nil }
            for name in names.sorted() {
                let file = path + "/" + name
                var fst = stat()
                guard lstat(file, &fst) == 0, fst.st_mode & S_IFMT == S_IFREG else { continue }
                hash.update(Array(name.utf8) + [0])
                guard hash.updateReading(file) else { return nil }
            }
        } else {
            guard st.st_mode & S_IFMT == S_IFREG, hash.updateReading(path) else { return nil }
        }
        return hash.hexDigest()
    }

    /// Feeds a regular file's bytes, piece by piece; false if it cannot be opened or read.
    private mutating func updateReading(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return false }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        let piece = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: piece, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, piece)
            if n < 0 { if errno == EINTR { continue }; return false }
            if n == 0 { return true }
            update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}
