import CPNG
import Foundation
import Imaging

public enum PNGWriteError: Error, CustomStringConvertible, Equatable {
    case emptyImage(width: Int, height: Int)
    case cannotWrite(path: String, reason: String)
    case parentMissing(directory: String, parent: String)
    case notADirectory(path: String)
    case cannotCreateDirectory(path: String, reason: String)
    case sizeChanged(expected: String, got: String)
    case alreadyFinished

    public var description: String {
        switch self {
        case let .emptyImage(w, h):
            return "cannot write a \(w)x\(h) PNG: the image is empty; give it a width and height of at least 1"
        case let .cannotWrite(path, reason):
            return "cannot write PNG \(path): \(reason); check that the directory exists, is writable and has free space"
        case let .parentMissing(directory, parent):
            return "cannot create frame directory \(directory): its parent \(parent) does not exist; create it first or fix the path"
        case let .notADirectory(path):
            return "cannot write frames into \(path): it exists and is not a directory; choose another path"
        case let .cannotCreateDirectory(path, reason):
            return "cannot create frame directory \(path): \(reason); check permissions of its parent"
        case let .sizeChanged(expected, got):
            return "frame size changed from \(expected) to \(got) in a PNG sequence; every frame must have the same size"
        case .alreadyFinished:
            return "PNG sequence already finished; create a new sink to write more frames"
        }
    }
}

/// Writes single 8-bit RGB PNGs through libpng's simplified API. The file appears under its name only
/// when complete (written to a hidden temporary, then renamed).
public enum PNGWriter {
    /// `fast` trades ~35% larger files for ~4x faster writing (PNG_IMAGE_FLAG_FAST): right for frame
    /// sequences that are read back once, not for an image meant to be kept.
    public static func write(_ image: FloatImage, to path: String, fast: Bool = false) throws {
        try write(rgb: rgb(of: image), width: image.width, height: image.height, to: path, fast: fast)
    }

    /// `image` as the 8-bit RGB a PNG holds; an empty image is refused.
    static func rgb(of image: FloatImage) throws -> [UInt8] {
        guard image.width > 0, image.height > 0 else {
            throw PNGWriteError.emptyImage(width: image.width, height: image.height)
        }
        var rgb = [UInt8](repeating: 0, count: 3 * image.width * image.height)
        interleaveRGB8(image, into: &rgb, paddedWidth: image.width, paddedHeight: image.height)
        return rgb
    }

    static func write(rgb: [UInt8], width: Int, height: Int, to path: String, fast: Bool,
                      writing: ((PartialFile?) -> Void)? = nil) throws {
        let (png, size) = try encoded(rgb: rgb, width: width, height: height, fast: fast, path: path)
        let file: PartialFile
        do { file = try PartialFile(target: path) } catch {
            throw PNGWriteError.cannotWrite(path: path, reason: "\(error)")
        }
        writing?(file)
        defer { writing?(nil) }
        do {
            try png.withUnsafeBytes { try file.append(UnsafeRawBufferPointer(rebasing: $0[..<size])) }
            try file.commit()
        } catch {
            file.discard()
            throw PNGWriteError.cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// The PNG of 8-bit RGB `rgb`, in memory: its first `size` bytes (`path` names it in an error).
    static func encoded(rgb: [UInt8], width: Int, height: Int, fast: Bool, path: String) throws -> (bytes: [UInt8], size: Int) {
        var img = png_image()
        img.version = UInt32(PNG_IMAGE_VERSION)
        img.width = UInt32(width)
        img.height = UInt32(height)
        img.format = UInt32(PNG_FORMAT_RGB)
        img.flags = fast ? UInt32(PNG_IMAGE_FLAG_FAST) : 0
        // Compressed in memory (into libpng's own bound, so once), then written to a temporary we
        // created ourselves: libpng never opens a path (its fopen "wb" would follow a planted link).
        var size = cpng_png_size_max(img)
        var png = [UInt8](repeating: 0, count: size)
        let ok = png.withUnsafeMutableBytes { out in
            rgb.withUnsafeBytes { png_image_write_to_memory(&img, out.baseAddress, &size, 0, $0.baseAddress, 0, nil) }
        }
        if ok == 0 {
            let reason = pngMessage(&img)
            png_image_free(&img)
            throw PNGWriteError.cannotWrite(path: path, reason: reason)
        }
        return (png, size)
    }
}

/// The png_image message field is a char[64] tuple.
func pngMessage(_ img: inout png_image) -> String {
    withUnsafeBytes(of: &img.message) { raw in
        let bytes = raw.bindMemory(to: UInt8.self)
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
