import Foundation

/// Reading a whole file that the user named (an image, a schedule, a weights file) without letting
/// the file decide how much is read: only a regular file is read, and only up to a limit.
///
/// A FIFO blocks at open and /dev/zero never ends (the old readers hung or grew without bound on
/// both), and `truncate -s 1T big.png` made a reader ask for 1 TB at once. The file is opened
/// without blocking and checked through its descriptor (so it cannot be swapped in between), its
/// size is compared with the limit before anything is allocated, and a file that grows while it is
/// read is held to the same limit. Each caller turns `BoundedFile.Failure` into its own error.
public enum BoundedFile {
    public enum Failure: Error, Equatable, Sendable {
        case missing
        case isDirectory
        /// "a FIFO (named pipe)", "a character device", ...
        case notAFile(kind: String)
        case tooLarge(size: Int, limit: Int)
        case unreadable(reason: String)
    }

    /// `followingSymlinks: false` (for files the program wrote itself, which are never links)
    /// refuses a symbolic link as "a symbolic link".
    public static func read(_ path: String, limit: Int, followingSymlinks: Bool = true) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followingSymlinks ? 0 : O_NOFOLLOW))
        if fd < 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { throw .missing }
            if e == ELOOP && !followingSymlinks { throw .notAFile(kind: "a symbolic link") }
            throw .unreadable(reason: String(cString: strerror(e)))
        }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw .unreadable(reason: String(cString: strerror(errno))) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .isDirectory
        case S_IFIFO: throw .notAFile(kind: "a FIFO (named pipe)")
        case S_IFCHR: throw .notAFile(kind: "a character device")
        case S_IFBLK: throw .notAFile(kind: "a block device")
        case S_IFSOCK: throw .notAFile(kind: "a socket")
        default: throw .notAFile(kind: "a special file")
        }
        let size = Int(st.st_size)
        if size > limit { throw .tooLarge(size: size, limit: limit) }
        // Blocking reads from here on: a regular file never blocks, this only undoes O_NONBLOCK.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        // One byte more than the limit is room enough to see a file that grew past it.
        let capacity = min(size, limit) + 1
        var failure: Int32? = nil
        var bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
            count = 0
            while count < capacity {
                let n = Foundation.read(fd, buf.baseAddress! + count, capacity - count)
                if n < 0 { if errno == EINTR { continue }; failure = errno; break }
                if n == 0 { break }
                count += n
            }
        }
        if let failure { throw .unreadable(reason: String(cString: strerror(failure))) }
        if bytes.count > size {
            // It grew while being read: read on (in small pieces) only as far as the limit allows.
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while bytes.count <= limit {
                let n = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
                if n < 0 { if errno == EINTR { continue }; throw .unreadable(reason: String(cString: strerror(errno))) }
                if n == 0 { break }
                bytes.append(contentsOf: chunk[0..<n])
            }
            if bytes.count > limit { throw .tooLarge(size: bytes.count, limit: limit) }
        }
        return bytes
    }
}
