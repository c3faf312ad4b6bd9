import Foundation

extension FloatImage {
    /// Unsharp mask: adds `amount` times the difference between the picture and its Gaussian blur
    /// (radius `sigma` pixels), clamped to 0...255. Run on each camera move's result, it gives back
    /// the little that a resample softens, so a long zoom does not go soft.
    public func sharpened(amount: Double, sigma: Double = 1.0) -> FloatImage {
        if amount <= 0 { return self }
        let blur = blurred(sigma: sigma)
        var out = self
        let k = Float(amount), count = pixels.count
        out.pixels.withUnsafeMutableBufferPointer { p in
            blur.pixels.withUnsafeBufferPointer { b in
                let p = p.baseAddress!, b = b.baseAddress!
                Bands.forEach(count) { range in
                    for i in range { p[i] = min(255, max(0, p[i] + k * (p[i] - b[i]))) }
                }
            }
        }
        return out
    }

    /// Separable Gaussian blur with reflecting borders.
    public func blurred(sigma: Double) -> FloatImage {
        FloatImage(width: width, height: height,
                   pixels: Self.blurredPlanes(pixels, width: width, height: height, planes: 3, sigma: sigma))
    }

    /// The Gaussian blur of `planes` planes of `width` x `height` values each (reflecting borders).
    static func blurredPlanes(_ pixels: [Float], width w: Int, height h: Int, planes: Int, sigma: Double) -> [Float] {
        precondition(pixels.count == planes * w * h)
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        var taps = (-radius...radius).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let total = taps.reduce(0, +)
        taps = taps.map { $0 / total }
        let plane = w * h
        var mid = [Float](repeating: 0, count: pixels.count)
        var out = [Float](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            mid.withUnsafeMutableBufferPointer { dst in
                // Rows of every plane, on every core.
                Bands.forEach(planes * h) { rows in
                    for cy in rows {
                        let (c, y) = cy.quotientAndRemainder(dividingBy: h)
                        let row = c * plane + y * w
                        // Away from the edges no index reflects: the same sums without the lookups.
                        let inner = min(radius, w)..<max(min(radius, w), w - radius)
                        for x in 0..<w where !inner.contains(x) {
                            var acc: Float = 0
                            for t in 0..<taps.count { acc += taps[t] * src[row + reflectIndex(x + t - radius, w)] }
                            dst[row + x] = acc
                        }
                        taps.withUnsafeBufferPointer { tp in
                            let s = src.baseAddress! + row - radius, n = tp.count
                            for x in inner {
                                var acc: Float = 0
                                for t in 0..<n { acc += tp[t] * s[x + t] }
                                dst[row + x] = acc
                            }
                        }
                    }
                }
            }
        }
        mid.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                Bands.forEach(planes * h) { rows in
                    for cy in rows {
                        let (c, y) = cy.quotientAndRemainder(dividingBy: h)
                        for t in 0..<taps.count {
                            let sr = c * plane + reflectIndex(y + t - radius, h) * w
                            let dr = c * plane + y * w
                            let wt = taps[t]
                            for x in 0..<w { dst[dr + x] += wt * src[sr + x] }
                        }
                    }
                }
            }
        }
        return out
    }
}
