import CTurboJPEG
import Imaging

/// Decodes a JPEG held in memory with libturbojpeg: RGB output (CMYK and YCCK files, which print
/// tools and Adobe software save, are decoded to CMYK and converted), accurate (islow) IDCT.
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
    if let shortfall = jpegDataShortfall(bytes, width: Int(w), height: Int(h)) {
        throw ImageDecodeError.corruptJPEG(path: path, reason: shortfall)
    }
    let cmyk = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
    // libjpeg turns YCCK back into CMYK itself; the four channels then go to RGB below.
    let channels = cmyk ? 4 : 3
    let plane = Int(w) * Int(h)
    var buffer = [UInt8](repeating: 0, count: channels * plane)
    let format = cmyk ? TJPF_CMYK : TJPF_RGB
    let rc = bytes.withUnsafeBufferPointer { src in
        buffer.withUnsafeMutableBufferPointer { dst in
            tjDecompress2(tj, src.baseAddress, UInt(src.count), dst.baseAddress, w, 0, h,
                          Int32(format.rawValue), TJFLAG_ACCURATEDCT)
        }
    }
    if rc != 0 {
        let text = message()
        if !text.contains("extraneous bytes before marker") {
            throw ImageDecodeError.corruptJPEG(path: path, reason: text)
        }
    }
    var px = [Float](repeating: 0, count: 3 * plane)
    if cmyk {
        cmykToRGB(buffer, inverted: hasAdobeMarker(bytes), into: &px)
    } else {
        for i in 0..<plane {
            for c in 0..<3 { px[c * plane + i] = Float(buffer[3 * i + c]) }
        }
    }
    return FloatImage(width: Int(w), height: Int(h), pixels: px)
}

/// Why the JPEG is too short to hold the pixels its header claims, or nil. A Huffman-coded JPEG codes
/// every 8x8 block of its first component in at least one bit, and with sampling factors of at most 4
/// that component has at least (width / 32) x (height / 32) blocks: a 300-byte file claiming
/// 16384x16384 is refused here, before its pixel buffers (4 GB) are allocated. Arithmetic-coded files
/// (SOF9...11) can code a block in less than a bit and are left to libjpeg.
func jpegDataShortfall(_ b: [UInt8], width: Int, height: Int) -> String? {
    guard jpegSegment(b, where: { marker, _ in marker == 0xC0 || marker == 0xC1 || marker == 0xC2 }) != nil else { return nil }
    let blocks = ((width + 31) / 32) * ((height + 31) / 32)
    guard b.count * 8 < blocks else { return nil }
    return "it is \(b.count) bytes, too few for \(width)x\(height) pixels; the file is cut short"
}

/// CMYK samples (4 a pixel) to planar RGB on the 0...255 scale, the way print-free viewers show
/// them: each ink takes away its share of the light, K from all three, R = 255 (1 - C)(1 - K).
/// `inverted`: the samples are 255 minus the ink, as Adobe's software (Photoshop) writes them and
/// flags with its APP14 marker; without the marker they are the ink itself (as Pillow reads them).
/// ffmpeg and ImageMagick agree with this within 1 level on files with the marker (measured on
/// Tests/MediaTests/Fixtures), and both take even unmarked files as inverted.
func cmykToRGB(_ cmyk: [UInt8], inverted: Bool, into px: inout [Float]) {
    let plane = cmyk.count / 4
    cmyk.withUnsafeBufferPointer { src in
        px.withUnsafeMutableBufferPointer { dst in
            for i in 0..<plane {
                // Light left by each ink and by black, 0...255.
                let k = inverted ? Float(src[4 * i + 3]) : 255 - Float(src[4 * i + 3])
                for c in 0..<3 {
                    let v = Float(src[4 * i + c])
                    dst[c * plane + i] = (inverted ? v : 255 - v) * k / 255
                }
            }
        }
    }
}

/// Whether the JPEG has Adobe's APP14 marker (an FFEE segment starting "Adobe") before its image
/// data: the sign that CMYK samples are stored inverted.
func hasAdobeMarker(_ b: [UInt8]) -> Bool {
    jpegSegment(b) { marker, body in
        marker == 0xEE && body.count >= 5 && b[body.lowerBound..<(body.lowerBound + 5)].elementsEqual("Adobe".utf8)
    } != nil
}

/// The body of the first marker segment before the image data (start of scan) for which `matches`
/// is true, or nil. Segments that run past the end stop the search.
func jpegSegment(_ b: [UInt8], where matches: (_ marker: UInt8, _ body: Range<Int>) -> Bool) -> Range<Int>? {
    var pos = 2   // after SOI
    while pos + 4 <= b.count, b[pos] == 0xFF {
        let marker = b[pos + 1]
        if marker == 0xDA { return nil }   // start of scan: no metadata after this
        let length = Int(b[pos + 2]) << 8 | Int(b[pos + 3])
        let body = pos + 4, end = pos + 2 + length
        guard length >= 2, end <= b.count else { return nil }
        if matches(marker, body..<end) { return body..<end }
        pos = end
    }
    return nil
}
