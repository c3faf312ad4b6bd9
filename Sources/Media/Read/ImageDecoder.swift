import Files
import Foundation
import Imaging

/// An sRGB colour with channels in 0...255, the scale of FloatImage.
public struct RGBColor: Sendable, Equatable {
    public var red: Float, green: Float, blue: Float
    public init(red: Float, green: Float, blue: Float) { self.red = red; self.green = green; self.blue = blue }
    public static let white = RGBColor(red: 255, green: 255, blue: 255)
    public static let black = RGBColor(red: 0, green: 0, blue: 0)
}

/// Decodes PNG (every colour type and bit depth) and JPEG files into FloatImage, choosing the decoder
/// by the file's first bytes, not its name.
///
/// Values are the stored sample values scaled to 0...255 (16-bit samples keep their precision:
/// 65535 -> 255.0, 257 -> 1.0), the way ffmpeg and Pillow read them: colour-management chunks are
/// ignored. Transparent pixels are composited onto `background` in those stored values.
/// JPEGs are turned upright by their EXIF orientation unless `appliesOrientation` is false.
public struct ImageDecoder: Sendable {
    public var background: RGBColor
    public var appliesOrientation: Bool
    /// Bytes the decoder may use; an image whose header says it needs more is refused before any
    /// pixel is allocated (a hostile or mistaken header must not take the machine down).
    public var memoryLimit: Int
    /// Sides above this are refused: a 16384x16384 image already needs 3 GB as Float.
    public static let maxSide = 16384
    /// Memory per pixel while decoding: the decoder's buffer (up to 16-bit RGBA, 8 bytes), the Float
    /// image (12) and one more Float copy for orientation or cropping (12).
    public static let bytesPerPixel = 32

    /// Three quarters of this machine's memory: what a render can take without swapping everything else out.
    public static var defaultMemoryLimit: Int { Int(min(ProcessInfo.processInfo.physicalMemory / 4 * 3, UInt64(Int.max))) }

    public init(background: RGBColor = .white, appliesOrientation: Bool = true, memoryLimit: Int = ImageDecoder.defaultMemoryLimit) {
        self.background = background
        self.appliesOrientation = appliesOrientation
        self.memoryLimit = memoryLimit
    }

    public func decode(path: String) throws -> FloatImage {
        try decode(bytes: try Self.readFile(path), path: path)
    }

    /// Decodes a file already in memory; `path` only names it in errors.
    public func decode(bytes: [UInt8], path: String) throws -> FloatImage {
        if bytes.isEmpty { throw ImageDecodeError.empty(path: path) }
        if bytes.starts(with: pngSignature) {
            return try decodePNG(bytes, path: path, background: background, fits: checkFits)
        }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            let image = try decodeJPEG(bytes, path: path, fits: checkFits)
            guard appliesOrientation, let o = exifOrientation(bytes) else { return image }
            return oriented(image, o)
        }
        throw ImageDecodeError.unsupportedFormat(path: path, detected: Self.guessFormat(bytes))
    }

    /// Called with the header's size before any pixel buffer exists.
    func checkFits(path: String, width: Int, height: Int) throws {
        let (pixels, o1) = width.multipliedReportingOverflow(by: height)
        let (need, o2) = pixels.multipliedReportingOverflow(by: Self.bytesPerPixel)
        if o1 || o2 || need > memoryLimit {
            throw ImageDecodeError.tooLargeForMemory(path: path, width: width, height: height,
                                                     needed: o1 || o2 ? Int.max : need, limit: memoryLimit)
        }
        guard width <= Self.maxSide, height <= Self.maxSide else {
            throw ImageDecodeError.tooLarge(path: path, width: width, height: height)
        }
    }

    /// Image files larger than this are refused before they are read: far above any photo (a
    /// 16384x16384 JPEG at quality 100 is about 200 MB), and it keeps a sparse or endless file
    /// (`truncate -s 1T`, which made the old reader ask for 1 TB at once) from taking the machine.
    public static let maxFileBytes = 512_000_000

    /// The whole file, read with a bound (`BoundedFile`): only a regular file, at most `limit` bytes.
    static func readFile(_ path: String, limit: Int = maxFileBytes) throws -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, limit: limit)
        } catch {
            switch error {
            case .missing: throw ImageDecodeError.missing(path: path)
            case .isDirectory: throw ImageDecodeError.isDirectory(path: path)
            case .notAFile(let kind): throw ImageDecodeError.notAFile(path: path, kind: kind)
            case .tooLarge(let size, let limit): throw ImageDecodeError.fileTooLarge(path: path, size: size, limit: limit)
            case .unreadable(let reason): throw ImageDecodeError.unreadable(path: path, reason: reason)
            }
        }
        if bytes.isEmpty { throw ImageDecodeError.empty(path: path) }
        return bytes
    }

    /// Names a few common formats by their magic bytes, so the error can say what the file is.
    static func guessFormat(_ b: [UInt8]) -> String? {
        func ascii(_ s: String, at i: Int = 0) -> Bool {
            let m = Array(s.utf8)
            return b.count >= i + m.count && Array(b[i..<i + m.count]) == m
        }
        if ascii("GIF8") { return "GIF" }
        if ascii("RIFF") && ascii("WEBP", at: 8) { return "WebP" }
        if ascii("BM") { return "BMP" }
        if ascii("II*\u{0}") || ascii("MM\u{0}*") { return "TIFF" }
        if ascii("ftyp", at: 4) { return ascii("avif", at: 8) ? "AVIF" : (ascii("heic", at: 8) ? "HEIC" : "an MP4/QuickTime file") }
        if ascii("%PDF") { return "PDF" }
        if ascii("\u{89}PNG") { return "a damaged PNG signature" }
        let head = b.prefix(512)
        if head.allSatisfy({ $0 == 9 || $0 == 10 || $0 == 13 || (32..<127).contains($0) }) { return "text" }
        return nil
    }
}

let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
