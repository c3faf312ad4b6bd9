public enum ImageDecodeError: Error, CustomStringConvertible, Equatable {
    case missing(path: String)
    case isDirectory(path: String)
    case empty(path: String)
    case unreadable(path: String, reason: String)
    case corruptPNG(path: String, reason: String)
    case corruptJPEG(path: String, reason: String)
    case unsupportedJPEG(path: String, reason: String)
    case unsupportedFormat(path: String, detected: String?)
    case tooLarge(path: String, width: Int, height: Int)

    public var description: String {
        switch self {
        case let .missing(path):
            return "image \(path) does not exist; check the path"
        case let .isDirectory(path):
            return "image \(path) is a directory; give the path of a PNG or JPEG file"
        case let .empty(path):
            return "image \(path) is empty (0 bytes); it was probably not saved completely, save or download it again"
        case let .unreadable(path, reason):
            return "cannot read image \(path): \(reason); check its permissions"
        case let .corruptPNG(path, reason):
            return "image \(path) is a truncated or corrupt PNG (\(reason)); save or download it again"
        case let .corruptJPEG(path, reason):
            return "image \(path) is a truncated or corrupt JPEG (\(reason)); save or download it again"
        case let .unsupportedJPEG(path, reason):
            return "image \(path) is a JPEG this program cannot decode (\(reason)); convert it to an RGB PNG or JPEG"
        case let .unsupportedFormat(path, detected):
            let what = detected.map { "it looks like \($0)" } ?? "its first bytes match neither"
            return "image \(path) is not a PNG or JPEG (\(what)); supported formats are PNG and JPEG, convert it to one of them"
        case let .tooLarge(path, w, h):
            return "image \(path) is \(w)x\(h), too large to process; scale it down below 16384 pixels a side"
        }
    }
}
