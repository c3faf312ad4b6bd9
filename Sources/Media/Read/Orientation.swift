import Imaging

/// The EXIF orientation (1...8) of a JPEG, from the first Exif APP1 segment before the image data;
/// nil when there is none or it cannot be read. Cameras store the sensor's pixels and record how the
/// camera was held in this tag instead of rotating them.
func exifOrientation(_ b: [UInt8]) -> Int? {
    let exif = Array("Exif\0\0".utf8)
    guard let app1 = jpegSegment(b, where: { marker, body in
        marker == 0xE1 && body.count >= 14 && b[body.lowerBound..<(body.lowerBound + 6)].elementsEqual(exif)
    }) else { return nil }
    return tiffOrientation(b, tiff: app1.lowerBound + 6, end: app1.upperBound)
}

/// Reads tag 0x0112 from IFD0 of the TIFF structure at `tiff` ("II" little- or "MM" big-endian).
private func tiffOrientation(_ b: [UInt8], tiff: Int, end: Int) -> Int? {
    let little: Bool
    switch (b[tiff], b[tiff + 1]) {
    case (0x49, 0x49): little = true
    case (0x4D, 0x4D): little = false
    default: return nil
    }
    func u16(_ at: Int) -> Int? {
        guard at + 2 <= end else { return nil }
        return little ? Int(b[at]) | Int(b[at + 1]) << 8 : Int(b[at]) << 8 | Int(b[at + 1])
    }
    func u32(_ at: Int) -> Int? {
        guard let lo = u16(little ? at : at + 2), let hi = u16(little ? at + 2 : at) else { return nil }
        return hi << 16 | lo
    }
    guard let ifd = u32(tiff + 4), let count = u16(tiff + ifd) else { return nil }
    for k in 0..<count {
        let entry = tiff + ifd + 2 + 12 * k
        guard let tag = u16(entry) else { return nil }
        if tag == 0x0112 {
            guard u16(entry + 2) == 3, let value = u16(entry + 8), (1...8).contains(value) else { return nil }
            return value
        }
    }
    return nil
}

/// The picture as it should be displayed for EXIF orientation `o`: 2 mirror, 3 rotate 180°, 4 flip,
/// 5 transpose, 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise.
func oriented(_ image: FloatImage, _ o: Int) -> FloatImage {
    if o == 1 { return image }
    let w = image.width, h = image.height
    let swaps = o >= 5
    let ow = swaps ? h : w, oh = swaps ? w : h
    let plane = w * h
    var out = FloatImage(width: ow, height: oh)
    image.pixels.withUnsafeBufferPointer { src in
        out.pixels.withUnsafeMutableBufferPointer { dst in
            for y in 0..<oh {
                for x in 0..<ow {
                    // The stored pixel shown at (x, y).
                    let (sx, sy): (Int, Int)
                    switch o {
                    case 2: (sx, sy) = (w - 1 - x, y)
                    case 3: (sx, sy) = (w - 1 - x, h - 1 - y)
                    case 4: (sx, sy) = (x, h - 1 - y)
                    case 5: (sx, sy) = (y, x)
                    case 6: (sx, sy) = (y, h - 1 - x)
                    case 7: (sx, sy) = (w - 1 - y, h - 1 - x)
                    default: (sx, sy) = (w - 1 - y, x)   // 8
                    }
                    for c in 0..<3 { dst[c * plane + y * ow + x] = src[c * plane + sy * w + sx] }
                }
            }
        }
    }
    return out
}
