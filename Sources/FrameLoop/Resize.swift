/// Separable resampling to a new size. Downscaling widens the kernel by the scale factor so the
/// result is low-passed first (no aliasing of fine texture into moiré); upscaling uses the kernel
/// at unit width, which carries detail up without blocky or blurred edges. Borders reflect.
extension FloatImage {
    public func resized(width newWidth: Int, height newHeight: Int,
                        kernel: ResamplingKernel = .lanczos3) -> FloatImage {
        precondition(newWidth > 0 && newHeight > 0, "cannot resize to \(newWidth)x\(newHeight)")
        if newWidth == width && newHeight == height { return self }
        let horizontal = ResampleTaps(from: width, to: newWidth, kernel: kernel)
        let vertical = ResampleTaps(from: height, to: newHeight, kernel: kernel)
        // Horizontal first: the intermediate is newWidth x height.
        var mid = [Float](repeating: 0, count: 3 * newWidth * height)
        pixels.withUnsafeBufferPointer { src in
            mid.withUnsafeMutableBufferPointer { dst in
                for row in 0..<(3 * height) {
                    horizontal.apply(src: src.baseAddress! + row * width, stride: 1,
                                     dst: dst.baseAddress! + row * newWidth, dstStride: 1)
                }
            }
        }
        var out = [Float](repeating: 0, count: 3 * newWidth * newHeight)
        mid.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 {
                    for x in 0..<newWidth {
                        vertical.apply(src: src.baseAddress! + c * newWidth * height + x, stride: newWidth,
                                       dst: dst.baseAddress! + c * newWidth * newHeight + x, dstStride: newWidth)
                    }
                }
            }
        }
        return FloatImage(width: newWidth, height: newHeight, pixels: out)
    }

    /// Scaled to cover `width` x `height` keeping the aspect ratio, then centre-cropped to exactly that
    /// size: the start image of a video of that size, with no bars and no distortion.
    public func coverCropped(width outWidth: Int, height outHeight: Int,
                             kernel: ResamplingKernel = .lanczos3) -> FloatImage {
        precondition(outWidth > 0 && outHeight > 0, "cannot crop to \(outWidth)x\(outHeight)")
        let scale = max(Double(outWidth) / Double(width), Double(outHeight) / Double(height))
        let w = max(outWidth, Int((Double(width) * scale).rounded()))
        let h = max(outHeight, Int((Double(height) * scale).rounded()))
        var scaled = resized(width: w, height: h, kernel: kernel)
        scaled.clamp()
        return scaled.cropped(x: (w - outWidth) / 2, y: (h - outHeight) / 2, width: outWidth, height: outHeight)
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
/// normalised weights, stored flat with a fixed number of taps per output.
struct ResampleTaps {
    let taps: Int
    let indices: [Int]
    let weights: [Float]
    let outputs: Int

    init(from inCount: Int, to outCount: Int, kernel: ResamplingKernel) {
        let scale = Double(inCount) / Double(outCount)
        let widen = max(1, scale)
        let reach = kernel.support * widen
        taps = Int((2 * reach).rounded(.up)) + 1
        outputs = outCount
        var indices = [Int](repeating: 0, count: outCount * taps)
        var weights = [Float](repeating: 0, count: outCount * taps)
        for o in 0..<outCount {
            // Pixel centres line up: the centre of output o sits at (o + 0.5) * scale in source space.
            let centre = (Double(o) + 0.5) * scale - 0.5
            let first = Int((centre - reach).rounded(.down)) + 1
            var raw = [Double](repeating: 0, count: taps)
            var sum = 0.0
            for t in 0..<taps {
                let w = kernel.weight((Double(first + t) - centre) / widen)
                raw[t] = w; sum += w
            }
            for t in 0..<taps {
                indices[o * taps + t] = reflectIndex(first + t, inCount)
                weights[o * taps + t] = Float(raw[t] / sum)
            }
        }
        self.indices = indices
        self.weights = weights
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
