import CPNG
import Imaging

/// Decodes a PNG held in memory with libpng's simplified API.
///
/// 8-bit files are read as 8-bit RGB(A); 16-bit files as 16-bit ("linear" in libpng's terms) RGB(A).
/// libpng converts between gamma encodings when a file's gAMA/sRGB/iCCP chunk differs from the output
/// encoding (a 16-bit output is always linear), so those chunks are dropped before decoding: with no
/// colour information libpng takes 8-bit data as sRGB and 16-bit data as linear (PNG_IMAGE_FLAG_16BIT_sRGB
/// is left unset on purpose), and both pass through unchanged — the stored values, as ffmpeg reads them.
/// 16-bit output with alpha comes premultiplied, which is exactly the first term of the composite.
func decodePNG(_ bytes: [UInt8], path: String, background bg: RGBColor,
               fits: (String, Int, Int) throws -> Void) throws -> FloatImage {
    // libpng keeps reading from this memory until finish_read: all of it happens inside one closure.
    try stripColourChunks(bytes).withUnsafeBytes { try decodePNG(memory: $0, path: path, background: bg, fits: fits) }
}

private func decodePNG(memory: UnsafeRawBufferPointer, path: String, background bg: RGBColor,
                       fits: (String, Int, Int) throws -> Void) throws -> FloatImage {
    var img = png_image()
    img.version = UInt32(PNG_IMAGE_VERSION)
    let began = png_image_begin_read_from_memory(&img, memory.baseAddress, memory.count)
    guard began != 0 else {
        let reason = pngMessage(&img)
        png_image_free(&img)
        throw ImageDecodeError.corruptPNG(path: path, reason: reason)
    }
    let w = Int(img.width), h = Int(img.height)
    do {
        try fits(path, w, h)
        if let shortfall = pngDataShortfall(UnsafeRawBufferPointer(memory)) {
            throw ImageDecodeError.corruptPNG(path: path, reason: shortfall)
        }
    } catch {
        png_image_free(&img)
        throw error
    }
    let sixteen = img.format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0
    let alpha = img.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
    img.format = UInt32(PNG_FORMAT_FLAG_COLOR) | (alpha ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0)
        | (sixteen ? UInt32(PNG_FORMAT_FLAG_LINEAR) : 0)
    let channels = alpha ? 4 : 3
    let plane = w * h
    var px = [Float](repeating: 0, count: 3 * plane)
    let back = [bg.red, bg.green, bg.blue]

    func finish(_ buffer: UnsafeMutableRawPointer) throws {
        let ok = png_image_finish_read(&img, nil, buffer, 0, nil)
        if ok == 0 {
            let reason = pngMessage(&img)
            png_image_free(&img)
            throw ImageDecodeError.corruptPNG(path: path, reason: reason)
        }
    }

    if sixteen {
        var buf = [UInt16](repeating: 0, count: channels * plane)
        try buf.withUnsafeMutableBytes { try finish($0.baseAddress!) }
        for i in 0..<plane {
            let a: Float = alpha ? Float(buf[channels * i + 3]) / 65535 : 1
            for c in 0..<3 {
                // Premultiplied when alpha is present, so colour + background * (1 - alpha).
                px[c * plane + i] = Float(buf[channels * i + c]) / 257 + back[c] * (1 - a)
            }
        }
    } else {
        var buf = [UInt8](repeating: 0, count: channels * plane)
        try buf.withUnsafeMutableBytes { try finish($0.baseAddress!) }
        for i in 0..<plane {
            if alpha {
                let a = Float(buf[channels * i + 3]) / 255
                for c in 0..<3 { px[c * plane + i] = Float(buf[channels * i + c]) * a + back[c] * (1 - a) }
            } else {
                for c in 0..<3 { px[c * plane + i] = Float(buf[channels * i + c]) }
            }
        }
    }
    return FloatImage(width: w, height: h, pixels: px)
}

/// The PNG without its gAMA, sRGB and iCCP chunks (ancillary: removing them leaves a valid file).
/// A chunk that runs past the end is copied as is, for libpng to report.
func stripColourChunks(_ b: [UInt8]) -> [UInt8] {
    let drop: Set<[UInt8]> = [Array("gAMA".utf8), Array("sRGB".utf8), Array("iCCP".utf8)]
    var out = Array(b.prefix(8))
    out.reserveCapacity(b.count)
    var pos = 8
    while pos + 8 <= b.count {
        let len = Int(b[pos]) << 24 | Int(b[pos + 1]) << 16 | Int(b[pos + 2]) << 8 | Int(b[pos + 3])
        let end = pos + 12 + len
        guard end <= b.count else { break }
        if !drop.contains(Array(b[pos + 4..<pos + 8])) { out.append(contentsOf: b[pos..<end]) }
        pos = end
    }
    if pos < b.count { out.append(contentsOf: b[pos...]) }
    return out
}

/// Why the PNG's compressed image data cannot hold the pixels its header claims, or nil. Deflate
/// expands at most 1032-fold (a 258-byte match in 2 bits), so IDAT chunks totalling n bytes hold at
/// most 1032 n bytes of rows: a 70-byte file claiming 16384x16384 is refused here, before its 4 GB of
/// pixel buffers are allocated, instead of by libpng after. Rows are counted without interlacing
/// (interlaced data only adds filter bytes), so a real file always passes.
func pngDataShortfall(_ b: UnsafeRawBufferPointer) -> String? {
    func be32(_ at: Int) -> Int { Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3]) }
    guard b.count >= 33, b[12] == UInt8(ascii: "I"), b[13] == UInt8(ascii: "H") else { return nil }   // libpng checks the rest
    let width = be32(16), height = be32(20), depth = Int(b[24])
    let samples: Int
    switch b[25] {
    case 0, 3: samples = 1
    case 2: samples = 3
    case 4: samples = 2
    case 6: samples = 4
    default: return nil
    }
    // Both sides are below 2^31 and depth * samples <= 64, so these products fit in 64 bits.
    let rowBytes = (width * samples * depth + 7) / 8
    let (raw, overflow) = height.multipliedReportingOverflow(by: 1 + rowBytes)
    var idat = 0
    var pos = 8
    while pos + 8 <= b.count {
        let length = be32(pos)
        if b[pos + 4] == UInt8(ascii: "I") && b[pos + 5] == UInt8(ascii: "D") && b[pos + 6] == UInt8(ascii: "A") && b[pos + 7] == UInt8(ascii: "T") {
            idat += min(length, b.count - pos - 8)
        }
        pos += 12 + length
    }
    let (room, o2) = idat.multipliedReportingOverflow(by: 1032)
    guard overflow || (!o2 && room + 1032 < raw) else { return nil }
    return "its image data is \(idat) bytes, too little for \(width)x\(height) pixels; the file is cut short"
}

