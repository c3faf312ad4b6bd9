import Foundation

/// How much one resample softened each output line, from its sub-pixel offset. A zoom reads most
/// pixels between source pixels, where the kernel softens fine detail (Lanczos-3 at half a pixel
/// keeps 76% at 3/8 of the sampling rate), but the row and the column through the zoom's centre read
/// exactly on source pixels and are not softened at all, frame after frame. An unsharp mask of one
/// amount everywhere sharpened those two lines again every frame: the cross of over-sharpened rows and
/// columns through the centre that `--sharpen 0.3` drew on the thin lines and text. Weighted by this,
/// the mask gives each line what its resample took, and the same amount on average.
struct ResampleBlur {
    /// The frequency (radians a pixel) at which the softening is measured.
    static let frequency = 0.75 * Double.pi

    /// 1 - the kernel's gain at `frequency` when reading at `offset` (0...0.5) from a source pixel,
    /// with the kernel widened by `widen` and its weights normalised, as `warped` does.
    static func loss(kernel: ResamplingKernel, widen: Double, offset t: Double) -> Double {
        let r = Int((kernel.support * widen).rounded(.up))
        var re = 0.0, im = 0.0, sum = 0.0
        for k in (-r)...r {
            let x = Double(k) - t, v = kernel.weight(x / widen)
            re += v * cos(frequency * x); im += v * sin(frequency * x); sum += v
        }
        return max(0, 1 - (re * re + im * im).squareRoot() / sum)
    }

    /// Offsets 0...0.5 in this many steps.
    static let bins = 32
    /// weights[bin]: the loss at that offset over the mean loss over all offsets (1 on average).
    let weights: [Float]

    init(kernel: ResamplingKernel, widen: Double) {
        let losses = (0...Self.bins).map { Self.loss(kernel: kernel, widen: widen, offset: 0.5 * Double($0) / Double(Self.bins)) }
        let mean = losses.reduce(0, +) / Double(losses.count)
        weights = losses.map { mean > 1e-9 ? Float($0 / mean) : 1 }
    }

    /// The weight of a line read at source position `s` (index space: pixel i's centre is i).
    func weight(at s: Double) -> Float {
        let f = s - s.rounded(.down)
        return weights[Int((min(f, 1 - f) * 2 * Double(Self.bins)).rounded())]
    }
}

extension FloatImage {
    /// The unsharp mask (`sharpened(amount:sigma:)`) on a picture just resampled by
    /// `warped(sourceFromOutput, kernel:)`, as two one-dimensional masks, across columns and then
    /// across rows, each line's amount weighted by what the resample softened there (`ResampleBlur`).
    /// A move with rotation mixes the axes: it gets the uniform mask.
    public func sharpened(amount: Double, resampledBy sourceFromOutput: AffineTransform, kernel: ResamplingKernel,
                          sigma: Double = 1.0) -> FloatImage {
        let m = sourceFromOutput
        guard amount > 0 else { return self }
        guard m.b == 0 && m.c == 0, width > 1, height > 1 else { return sharpened(amount: amount, sigma: sigma) }
        let blur = ResampleBlur(kernel: kernel, widen: max(1, sqrt(abs(m.determinant))))
        let k = Float(amount)
        let cols = (0..<width).map { k * blur.weight(at: m.a * (Double($0) + 0.5) + m.tx - 0.5) }
        let rows = (0..<height).map { k * blur.weight(at: m.d * (Double($0) + 0.5) + m.ty - 0.5) }
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        var taps = (-radius...radius).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let total = taps.reduce(0, +)
        taps = taps.map { $0 / total }
        let w = width, h = height
        // The 2-D mask's detail p - Gx Gy p is dx + dy - dxy, with dx = p - Gx p (across columns),
        // dy = p - Gy p (across rows) and dxy = dx - Gy dx; each part is weighted by its lines.
        let dx = Self.detailPlanes(pixels, width: w, height: h, taps: taps, alongRows: true)
        let dy = Self.detailPlanes(pixels, width: w, height: h, taps: taps, alongRows: false)
        let dxy = Self.detailPlanes(dx, width: w, height: h, taps: taps, alongRows: false)
        var out = pixels
        out.withUnsafeMutableBufferPointer { o in
            dx.withUnsafeBufferPointer { dx in dy.withUnsafeBufferPointer { dy in dxy.withUnsafeBufferPointer { dxy in
                cols.withUnsafeBufferPointer { cols in rows.withUnsafeBufferPointer { rows in
                    Bands.forEach(3 * h) { band in
                        for cy in band {
                            let y = cy % h, ky = rows[y], row = cy * w
                            for x in 0..<w {
                                let i = row + x, kx = cols[x]
                                let v = o[i] + kx * dx[i] + ky * dy[i] - (kx * ky / k) * dxy[i]
                                o[i] = Swift.min(255, Swift.max(0, v))
                            }
                        }
                    }
                } }
            } } }
        }
        return FloatImage(width: w, height: h, pixels: out)
    }

    /// Each value less the Gaussian (`taps`, centred) of its row (`alongRows`) or of its column, in
    /// 3 planes of width x height, borders reflected.
    static func detailPlanes(_ p: [Float], width w: Int, height h: Int, taps: [Float], alongRows: Bool) -> [Float] {
        let radius = taps.count / 2, plane = w * h
        var out = [Float](repeating: 0, count: p.count)
        p.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                taps.withUnsafeBufferPointer { taps in
                    Bands.forEach(3 * h) { band in
                        // The rows a row's column sums read (reflected once per row, not per pixel).
                        var lines = [Int](repeating: 0, count: taps.count)
                        for cy in band {
                            let (c, y) = cy.quotientAndRemainder(dividingBy: h)
                            let o = c * plane + y * w
                            if alongRows {
                                for x in 0..<w {
                                    var low: Float = 0
                                    if x >= radius && x + radius < w {
                                        // Inside: no reflection (the same sum, in the same order).
                                        for t in 0..<taps.count { low += taps[t] * src[o + x + t - radius] }
                                    } else {
                                        for t in 0..<taps.count { low += taps[t] * src[o + reflectIndex(x + t - radius, w)] }
                                    }
                                    dst[o + x] = src[o + x] - low
                                }
                            } else {
                                for t in 0..<taps.count { lines[t] = c * plane + reflectIndex(y + t - radius, h) * w }
                                for x in 0..<w {
                                    var low: Float = 0
                                    for t in 0..<taps.count { low += taps[t] * src[lines[t] + x] }
                                    dst[o + x] = src[o + x] - low
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
