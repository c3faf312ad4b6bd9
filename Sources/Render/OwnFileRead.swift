import Files
import Foundation
import Net

/// Reads a file the program wrote itself (a checkpoint, a settings record) whole, but only if it is
/// a regular file, not a symlink (BoundedFile with O_NOFOLLOW), no larger than `limit` bytes, the
/// most such a file can hold for this render; the failures are worded for such a file.
public enum OwnFileRead {
    public enum Failure: Error, CustomStringConvertible {
        case missing
        case notRegular(String)
        case tooLarge(size: Int, limit: Int)
        case unreadable(String)

        public var description: String {
            switch self {
            case .missing: return "does not exist"
            case .notRegular(let kind): return "is \(kind), not a file dreamvideo wrote"
            case .tooLarge(let size, let limit): return "holds \(size) bytes, more than the \(limit) this render's can"
            case .unreadable(let reason): return "cannot be read (\(reason))"
            }
        }
    }

    public static func read(_ path: String, limit: Int) throws(Failure) -> Data {
        do throws(BoundedFile.Failure) {
            return Data(try BoundedFile.read(path, limit: limit, followingSymlinks: false))
        } catch {
            switch error {
            case .missing: throw .missing
            case .isDirectory: throw .notRegular("a folder")
            case .notAFile(let kind): throw .notRegular(kind)
            case .tooLarge(let size, let limit): throw .tooLarge(size: size, limit: limit)
            case .unreadable(let reason): throw .unreadable(reason)
            }
        }
    }
}
