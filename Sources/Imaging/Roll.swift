extension FloatImage {
    /// Shifted by (dx, dy) with wrap-around: pixel (x, y) moves to ((x + dx) mod w, (y + dy) mod h).
    /// The dream's jitter: each step sees the picture at a different offset, so the network's
    /// stride grid does not print itself onto the image.
    public func rolled(dx: Int, dy: Int) -> FloatImage {
        let w = width, h = height
        let sx = ((dx % w) + w) % w, sy = ((dy % h) + h) % h
        if sx == 0 && sy == 0 { return self }
        var out = [Float](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 {
                    for y in 0..<h {
                        let s = src.baseAddress! + c * w * h + y * w
                        let d = dst.baseAddress! + c * w * h + ((y + sy) % h) * w
                        // Row y splits in two runs: [0, w - sx) goes right by sx, the rest wraps to the start.
                        (d + sx).update(from: s, count: w - sx)
                        d.update(from: s + (w - sx), count: sx)
                    }
                }
            }
        }
        return FloatImage(width: w, height: h, pixels: out)
    }
}
