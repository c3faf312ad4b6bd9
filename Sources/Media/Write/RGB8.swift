import Imaging

/// Interleaved 8-bit RGB from a planar float image, written into `out` at `paddedWidth` x
/// `paddedHeight` (at least the image's size). Extra columns and rows repeat the last real column and
/// row, so a padded encode (yuv420p needs even sizes) has no dark seam at its edge.
/// Values are rounded to nearest and clamped to 0...255; NaN becomes 0.
func interleaveRGB8(_ image: FloatImage, into out: inout [UInt8], paddedWidth: Int, paddedHeight: Int) {
    let w = image.width, h = image.height, plane = w * h
    precondition(paddedWidth >= w && paddedHeight >= h && out.count == 3 * paddedWidth * paddedHeight)
    image.pixels.withUnsafeBufferPointer { p in
        out.withUnsafeMutableBufferPointer { o in
            for y in 0..<paddedHeight {
                let row = min(y, h - 1) * w
                let dst = 3 * y * paddedWidth
                for x in 0..<paddedWidth {
                    let i = row + min(x, w - 1)
                    for c in 0..<3 {
                        let v = p[c * plane + i].rounded()
                        o[dst + 3 * x + c] = v >= 255 ? 255 : (v > 0 ? UInt8(v) : 0)
                    }
                }
            }
        }
    }
}
