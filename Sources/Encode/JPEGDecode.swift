import CTurboJPEG
import FrameLoop

/// Decodes a JPEG held in memory with libturbojpeg: RGB output, accurate (islow) IDCT.
///
/// libjpeg reports a file cut short only as a warning and fills the rest with grey, and libturbojpeg
/// 2.1 can label even fatal errors as warnings (tjGetErrorCode was measured returning TJERR_WARNING for
/// "JPEG datastream contains no image"), so every failure is refused except the one warning that is
/// common in camera files and harmless: stray bytes before a marker. EXIF orientation is applied by
/// ImageDecoder (Orientation.swift).
func decodeJPEG(_ bytes: [UInt8], path: String, fits: (String, Int, Int) throws -> Void) throws -> FloatImage {
    guard let tj = tjInitDecompress() else {
        throw ImageDecodeError.unsupportedJPEG(path: path, reason: "cannot start libturbojpeg")
    }
    defer { tjDestroy(tj) }
    func message() -> String { String(cString: tjGetErrorStr2(tj)) }

    var w: Int32 = 0, h: Int32 = 0, subsamp: Int32 = 0, colorspace: Int32 = 0
    let head = bytes.withUnsafeBufferPointer {
        tjDecompressHeader3(tj, $0.baseAddress, UInt($0.count), &w, &h, &subsamp, &colorspace)
    }
    guard head == 0 else { throw ImageDecodeError.corruptJPEG(path: path, reason: message()) }
    try fits(path, Int(w), Int(h))
    if colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue) {
        throw ImageDecodeError.unsupportedJPEG(path: path, reason: "CMYK colour")
    }
    let plane = Int(w) * Int(h)
    var rgb = [UInt8](repeating: 0, count: 3 * plane)
    let rc = bytes.withUnsafeBufferPointer { src in
        rgb.withUnsafeMutableBufferPointer { dst in
            tjDecompress2(tj, src.baseAddress, UInt(src.count), dst.baseAddress, w, 0, h,
                          Int32(TJPF_RGB.rawValue), TJFLAG_ACCURATEDCT)
        }
    }
    if rc != 0 {
        let text = message()
        if !text.contains("extraneous bytes before marker") {
            throw ImageDecodeError.corruptJPEG(path: path, reason: text)
        }
    }
    var px = [Float](repeating: 0, count: 3 * plane)
    for i in 0..<plane {
        for c in 0..<3 { px[c * plane + i] = Float(rgb[3 * i + c]) }
    }
    return FloatImage(width: Int(w), height: Int(h), pixels: px)
}
