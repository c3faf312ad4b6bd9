import Foundation

/// Reads a file the program wrote itself (a checkpoint, a settings record) whole, but only if it is
/// a regular file (not a symlink, a FIFO or a device: opened with O_NOFOLLOW|O_NONBLOCK, checked with
/// fstat on the same descriptor) no larger than `limit` bytes, the most such a file can hold for this
/// render. A file that grows while it is read is refused after one byte more than its size.
enum OwnFileRead {
    enum Failure: Error, CustomStringConvertible {
        case missing
        case notRegular(String)
        case tooLarge(size: Int, limit: Int)
        case unreadable(String)

        var description: String {
            switch self {
            case .missing: return "does not exist"
            case .notRegular(let kind): return "is \(kind), not a file dreamvideo wrote"
            case .tooLarge(let size, let limit): return "holds \(size) bytes, more than the \(limit) this render's can"
            case .unreadable(let reason): return "cannot be read (\(reason))"
            }
        }
    }

    static func read(_ path: String, limit: Int) throws(Failure) -> Data {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            switch errno {
            case ENOENT: throw .missing
            case ELOOP: throw .notRegular("a symbolic link")
            default: throw .unreadable(String(cString: strerror(errno)))
            }
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .unreadable(String(cString: strerror(errno))) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .notRegular("a folder")
        case S_IFIFO: throw .notRegular("a FIFO")
        default: throw .notRegular("a device or socket")
        }
        let size = Int(st.st_size)
        guard size <= limit else { throw .tooLarge(size: size, limit: limit) }
        var data = Data(count: size + 1)
        var filled = 0
        let failure: Int32? = data.withUnsafeMutableBytes { raw -> Int32? in
            while filled < raw.count {
                let n = Foundation.read(fd, raw.baseAddress! + filled, raw.count - filled)
                if n == 0 { return nil }
                if n < 0 { if errno == EINTR { continue }; return errno }
                filled += n
            }
            return nil
        }
        if let failure { throw .unreadable(String(cString: strerror(failure))) }
        // One byte more than fstat said: the file is growing (someone else is writing it).
        guard filled <= size else { throw .unreadable("it grew while it was read") }
        return data.prefix(filled)
    }
}
