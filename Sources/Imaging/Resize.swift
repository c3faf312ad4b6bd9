/// Separable resampling to a new size. Downscaling widens the kernel by the scale factor so the
/// result is low-passed first (no aliasing of fine texture into moiré); upscaling uses the kernel
/// at unit width, which carries detail up without blocky or blurred edges. Borders reflect.
extension FloatImage {
    public func resized(width newWidth: Int, height newHeight: Int,
                        kernel: ResamplingKernel = .lanczos3) -> FloatImage {
        precondition(newWidth > 0 && newHeight > 0, "cannot resize to \(newWidth)x\(newHeight)")
        if newWidth == width && newHeight == height { return self }
        return resampled(horizontal: ResampleTaps(from: width, to: newWidth, kernel: kernel),
                         vertical: ResampleTaps(from: height, to: newHeight, kernel: kernel))
    }

    /// Scaled to cover `width` x `height` keeping the aspect ratio, then centre-cropped to exactly that
    /// size: the start image of a video of that size, with no bars and no distortion.
    ///
    /// Only the kept window of the scaled image is computed, from the source rows and columns it
    /// reads: scaling the whole image first made a 16384x1 PNG covering 1920x1080 ask for 229 GB
    /// (17.7 million x 1080 pixels). Memory is now the output plus at most one intermediate of
    /// `width` x (the source rows the window reads), itself at most the source's height.
    public func coverCropped(width outWidth: Int, height outHeight: Int,
                             kernel: ResamplingKernel = .lanczos3) -> FloatImage {
        precondition(outWidth > 0 && outHeight > 0, "cannot crop to \(outWidth)x\(outHeight)")
        let scale = max(Double(outWidth) / Double(width), Double(outHeight) / Double(height))
        // The size the whole image would have once scaled (never allocated), as a Double first: a
        // thin image makes it far larger than any pixel count.
        let w = max(outWidth, Int(min((Double(width) * scale).rounded(), Double(Int32.max))))
        let h = max(outHeight, Int(min((Double(height) * scale).rounded(), Double(Int32.max))))
        let x = (w - outWidth) / 2, y = (h - outHeight) / 2
        var out = w == width && h == height
            ? cropped(x: x, y: y, width: outWidth, height: outHeight)
            : resampled(horizontal: ResampleTaps(from: width, to: w, window: x..<(x + outWidth), kernel: kernel),
              vertical: ResampleTaps(from: height, to: h, window: y..<(y + outHeight), kernel: kernel))
        out.clamp()
        return out
    }

    /// Separable resampling with precomputed taps: horizontal first, over only the source rows the
    /// vertical taps read.
    func resampled(horizontal: ResampleTaps, vertical: ResampleTaps) -> FloatImage {
        let newWidth = horizontal.outputs, newHeight = vertical.outputs
        let rows = vertical.sourceRange
        // Every count checked before it is allocated: both factors are bounded (the output size and
        // the source's rows), the check is what keeps that true if a caller changes.
        let (midCount, o1) = newWidth.multipliedReportingOverflow(by: rows.count)
        let (outCount, o2) = newWidth.multipliedReportingOverflow(by: newHeight)
        precondition(!o1 && !o2 && midCount <= Int.max / 3 && outCount <= Int.max / 3,
                     "resampling \(width)x\(height) to \(newWidth)x\(newHeight) overflows")
        let midHeight = rows.count
        var mid = [Float](repeating: 0, count: 3 * midCount)
        pixels.withUnsafeBufferPointer { src in
            mid.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 {
                    for (r, row) in rows.enumerated() {
                        horizontal.apply(src: src.baseAddress! + (c * height + row) * width, stride: 1,
                                         dst: dst.baseAddress! + (c * midHeight + r) * newWidth, dstStride: 1)
                    }
                }
            }
        }
        let vert = vertical.shifted(by: -rows.lowerBound)
        var out = [Float](repeating: 0, count: 3 * outCount)
        mid.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 {
                    for x in 0..<newWidth {
                        vert.apply(src: src.baseAddress! + c * newWidth * midHeight + x, stride: newWidth,
                                   dst: dst.baseAddress! + c * newWidth * newHeight + x, dstStride: newWidth)
                    }
                }
            }
        }
        return FloatImage(width: newWidth, height: newHeight, pixels: out)
    }

    public func cropped(x: Int, y: Int, width outWidth: Int, height outHeight: Int) -> FloatImage {
        precondition(x >= 0 && y >= 0 && x + outWidth <= width && y + outHeight <= height,
                     "crop \(outWidth)x\(outHeight)+\(x)+\(y) is outside \(width)x\(height)")
        var out = [Float](repeating: 0, count: 3 * outWidth * outHeight)
        for c in 0..<3 {
            for row in 0..<outHeight {
                let s = c * width * height + (y + row) * width + x
                let d = c * outWidth * outHeight + row * outWidth
                out[d..<(d + outWidth)] = pixels[s..<(s + outWidth)]
            }
        }
        return FloatImage(width: outWidth, height: outHeight, pixels: out)
    }

    /// Keeps every value in 0...255 (Lanczos lobes overshoot at hard edges).
    public mutating func clamp(to range: ClosedRange<Float> = 0...255) {
        let lo = range.lowerBound, hi = range.upperBound
        pixels.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = min(hi, max(lo, p[i])) }
        }
    }
}

/// For each output index along one axis: the source indices it reads (already reflected) and their
/// normalised weights, stored flat with a fixed number of taps per output. `window` picks some of the
/// `outCount` outputs (the part of a scaled image that is kept); the taps are those of the full scaling.
struct ResampleTaps {
    let taps: Int
    let indices: [Int]
    let weights: [Float]
    let outputs: Int

    init(from inCount: Int, to outCount: Int, window: Range<Int>? = nil, kernel: ResamplingKernel) {
        let window = window ?? 0..<outCount
        let scale = Double(inCount) / Double(outCount)
        let widen = max(1, scale)
        let reach = kernel.support * widen
        taps = Int((2 * reach).rounded(.up)) + 1
        outputs = window.count
        var indices = [Int](repeating: 0, count: outputs * taps)
        var weights = [Float](repeating: 0, count: outputs * taps)
        var raw = [Double](repeating: 0, count: taps)
        for (k, o) in window.enumerated() {
            // Pixel centres line up: the centre of output o sits at (o + 0.5) * scale in source space.
            let centre = (Double(o) + 0.5) * scale - 0.5
            let first = Int((centre - reach).rounded(.down)) + 1
            var sum = 0.0
            for t in 0..<taps {
                let w = kernel.weight((Double(first + t) - centre) / widen)
                raw[t] = w; sum += w
            }
            for t in 0..<taps {
                indices[k * taps + t] = reflectIndex(first + t, inCount)
                weights[k * taps + t] = Float(raw[t] / sum)
            }
        }
        self.indices = indices
        self.weights = weights
    }

    private init(taps: Int, indices: [Int], weights: [Float], outputs: Int) {
        self.taps = taps; self.indices = indices; self.weights = weights; self.outputs = outputs
    }

    /// The source indices read, lowest to highest (empty when there are no outputs).
    var sourceRange: Range<Int> {
        guard let lo = indices.min(), let hi = indices.max() else { return 0..<0 }
        return lo..<(hi + 1)
    }

    /// The same taps reading from a source that starts `offset` later.
    func shifted(by offset: Int) -> ResampleTaps {
        ResampleTaps(taps: taps, indices: indices.map { $0 + offset }, weights: weights, outputs: outputs)
    }

    @inline(__always)
    func apply(src: UnsafePointer<Float>, stride: Int, dst: UnsafeMutablePointer<Float>, dstStride: Int) {
        indices.withUnsafeBufferPointer { idx in
            weights.withUnsafeBufferPointer { wts in
                for o in 0..<outputs {
                    var acc: Float = 0
                    let base = o * taps
                    for t in 0..<taps { acc += wts[base + t] * src[idx[base + t] * stride] }
                    dst[o * dstStride] = acc
                }
            }
        }
    }
}
