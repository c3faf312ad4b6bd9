import Foundation

public enum ImageDecodeError: Error, CustomStringConvertible, Equatable {
    case missing(path: String)
    case isDirectory(path: String)
    case notAFile(path: String, kind: String)
    case fileTooLarge(path: String, size: Int, limit: Int)
    case empty(path: String)
    case unreadable(path: String, reason: String)
    case corruptPNG(path: String, reason: String)
    case corruptJPEG(path: String, reason: String)
    case unsupportedJPEG(path: String, reason: String)
    case unsupportedFormat(path: String, detected: String?)
    case tooLarge(path: String, width: Int, height: Int)
    case tooLargeForMemory(path: String, width: Int, height: Int, needed: Int, limit: Int)

    public var description: String {
        switch self {
        case let .missing(path):
            return "image \(path) does not exist; check the path"
        case let .isDirectory(path):
            return "image \(path) is a directory; give the path of a PNG or JPEG file"
        case let .notAFile(path, kind):
            return "image \(path) is \(kind), not a file; give the path of a PNG or JPEG file (save a stream to a file first)"
        case let .fileTooLarge(path, size, limit):
            return "image \(path) is \(byteCount(size)), more than the \(byteCount(limit)) an image may have; scale it down or save it as a JPEG"
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
        case let .tooLargeForMemory(path, w, h, needed, limit):
            return "image \(path) is \(w)x\(h): decoding it needs about \(byteCount(needed)) but only \(byteCount(limit)) may be used here; scale it down (e.g. below 4000 pixels a side) and try again"
        }
    }
}

/// "12 GB", "340 MB": sizes for messages, in powers of 1000 as people read them.
func byteCount(_ n: Int) -> String {
    if n == Int.max { return "more than 9 EB" }
    let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
    var v = Double(n), i = 0
    while v >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
    return i == 0 ? "\(n) bytes" : (v < 10 ? String(format: "%.1f", v) : String(Int(v.rounded()))) + " " + units[i]
}
