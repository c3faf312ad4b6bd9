import Foundation

extension FloatImage {
    /// Resamples the image through an affine map, once: output pixel centre p reads the source at
    /// `sourceFromOutput(p)`. Outside the picture the source is mirrored, so zooming out, rotating or
    /// panning never brings in black. When the map shrinks the picture, the kernel is widened by the
    /// shrink factor so fine texture is averaged rather than aliased. The output has the image's size
    /// unless `outputWidth` x `outputHeight` is given.
    public func warped(_ sourceFromOutput: AffineTransform, kernel: ResamplingKernel = .lanczos3,
                       outputWidth: Int? = nil, outputHeight: Int? = nil) -> FloatImage {
        let table = KernelTable(kernel)
        let widen = max(1, sqrt(abs(sourceFromOutput.determinant)))
        let reach = table.support * widen
        let taps = Int((2 * reach).rounded(.up))
        let lutScale = Float(Double(KernelTable.samplesPerUnit) / widen)
        let lutLimit = Float(table.values.count - 2)
        let sw = width, sh = height, plane = sw * sh
        let w = outputWidth ?? width, h = outputHeight ?? height, outPlane = w * h
        let m = sourceFromOutput
        // Zoom and pan without rotation (every preset's default walk): x and y are mapped apart, so
        // the same weights are applied in two passes, the same operations in the same order, with
        // the same bytes as below at a third of the work.
        if m.b == 0 && m.c == 0 && w == sw && h == sh {
            return separableWarp(m, table: table, taps: taps, reach: reach, lutScale: lutScale, lutLimit: lutLimit)
        }
        var out = [Float](repeating: 0, count: 3 * outPlane)

        pixels.withUnsafeBufferPointer { srcBuf in
        out.withUnsafeMutableBufferPointer { dstBuf in
        table.values.withUnsafeBufferPointer { lut in
            let src = srcBuf.baseAddress!, dst = dstBuf.baseAddress!
            // Bands of rows on every core (each pixel is computed the same way whatever the band:
            // the same bytes on any core count). 1920x1080 Lanczos-3: ~0.3 s on one core.
            Bands.forEach(h) { rows in
            let wx = UnsafeMutablePointer<Float>.allocate(capacity: taps)
            let wy = UnsafeMutablePointer<Float>.allocate(capacity: taps)
            let xi = UnsafeMutablePointer<Int>.allocate(capacity: taps)
            let yi = UnsafeMutablePointer<Int>.allocate(capacity: taps)
            defer { wx.deallocate(); wy.deallocate(); xi.deallocate(); yi.deallocate() }

            @inline(__always) func weight(_ distance: Float) -> Float {
                KernelTable.weight(lut, distance: distance, scale: lutScale, limit: lutLimit)
            }

            for y in rows {
                // Source position of this row's first pixel centre, in index space (centre of pixel i is i).
                let py = Double(y) + 0.5
                var sx = m.a * 0.5 + m.b * py + m.tx - 0.5
                var sy = m.c * 0.5 + m.d * py + m.ty - 0.5
                for x in 0..<w {
                    let x0 = Int((sx - reach).rounded(.down)) + 1
                    let y0 = Int((sy - reach).rounded(.down)) + 1
                    let fx = Float(sx - Double(x0)), fy = Float(sy - Double(y0))
                    var sumX: Float = 0, sumY: Float = 0
                    for t in 0..<taps {
                        let vx = weight(fx - Float(t)); wx[t] = vx; sumX += vx
                        let vy = weight(fy - Float(t)); wy[t] = vy; sumY += vy
                        xi[t] = reflectIndex(x0 + t, sw)
                        yi[t] = reflectIndex(y0 + t, sh) * sw
                    }
                    // Normalised so a flat picture stays exactly flat.
                    let nx = 1 / sumX, ny = 1 / sumY
                    for t in 0..<taps { wx[t] *= nx; wy[t] *= ny }
                    let o = y * w + x
                    for ch in 0..<3 {
                        let p = src + ch * plane
                        var acc: Float = 0
                        for j in 0..<taps {
                            let row = p + yi[j]
                            var r: Float = 0
                            for i in 0..<taps { r += wx[i] * row[xi[i]] }
                            acc += wy[j] * r
                        }
                        dst[ch * outPlane + o] = acc
                    }
                    sx += m.a; sy += m.c
                }
            }
            }
        }
        }
        }
        return FloatImage(width: w, height: h, pixels: out)
    }
}

extension FloatImage {
    /// `warped` for a map with no rotation or shear (b = c = 0): each output column reads the same
    /// source columns with the same weights on every row, and each output row the same source rows.
    /// A horizontal pass over every source row, then a vertical pass, each summing in the order the
    /// two-dimensional loop does (r = sum over i of wx[i] * row[xi[i]]; acc = sum over j of wy[j] * r_j),
    /// so the result is bit for bit the same.
    private func separableWarp(_ m: AffineTransform, table: KernelTable, taps: Int, reach: Double,
                               lutScale: Float, lutLimit: Float) -> FloatImage {
        let w = width, h = height, plane = w * h
        // Per output column (and row): the first tap's position, weights and source indices, computed
        // as the two-dimensional loop computes them (the column position accumulated along the row).
        func axisTaps(count: Int, size: Int, position: (Int) -> Double) -> (weights: [Float], indices: [Int]) {
            var weights = [Float](repeating: 0, count: count * taps)
            var indices = [Int](repeating: 0, count: count * taps)
            table.values.withUnsafeBufferPointer { lut in
                for o in 0..<count {
                    let s = position(o)
                    let first = Int((s - reach).rounded(.down)) + 1
                    let f = Float(s - Double(first))
                    var sum: Float = 0
                    for t in 0..<taps {
                        let v = KernelTable.weight(lut, distance: f - Float(t), scale: lutScale, limit: lutLimit)
                        weights[o * taps + t] = v; sum += v
                        indices[o * taps + t] = reflectIndex(first + t, size)
                    }
                    let n = 1 / sum
                    for t in 0..<taps { weights[o * taps + t] *= n }
                }
            }
            return (weights, indices)
        }
        var columnStarts = [Double](repeating: 0, count: w)
        var sx = m.a * 0.5 + m.b * 0.5 + m.tx - 0.5
        for x in 0..<w { columnStarts[x] = sx; sx += m.a }
        let cols = axisTaps(count: w, size: w) { columnStarts[$0] }
        let rows = axisTaps(count: h, size: h) { y in m.c * 0.5 + m.d * (Double(y) + 0.5) + m.ty - 0.5 }

        var mid = [Float](repeating: 0, count: 3 * plane)
        var out = [Float](repeating: 0, count: 3 * plane)
        pixels.withUnsafeBufferPointer { srcBuf in
        mid.withUnsafeMutableBufferPointer { midBuf in
        cols.weights.withUnsafeBufferPointer { wx in
        cols.indices.withUnsafeBufferPointer { xi in
            let src = srcBuf.baseAddress!, dst = midBuf.baseAddress!
            Bands.forEach(3 * h) { band in
                for r in band {
                    let row = src + r * w, o = dst + r * w
                    for x in 0..<w {
                        var acc: Float = 0
                        let base = x * taps
                        for i in 0..<taps { acc += wx[base + i] * row[xi[base + i]] }
                        o[x] = acc
                    }
                }
            }
        }
        }
        }
        }
        mid.withUnsafeBufferPointer { midBuf in
        out.withUnsafeMutableBufferPointer { outBuf in
        rows.weights.withUnsafeBufferPointer { wy in
        rows.indices.withUnsafeBufferPointer { yi in
            let src = midBuf.baseAddress!, dst = outBuf.baseAddress!
            Bands.forEach(3 * h) { band in
                for r in band {
                    let (c, y) = r.quotientAndRemainder(dividingBy: h)
                    let o = dst + r * w
                    for j in 0..<taps {
                        let wt = wy[y * taps + j]
                        let row = src + c * plane + yi[y * taps + j] * w
                        for x in 0..<w { o[x] += wt * row[x] }
                    }
                }
            }
        }
        }
        }
        }
        return FloatImage(width: w, height: h, pixels: out)
    }

    /// After a move that reveals area from outside the picture (a zoom out, a pan): those pixels hold
    /// a mirror image of the edge, and a mirror of a mirror frame after frame piles up into stripes
    /// along the edges. Here they are replaced by a blurred copy, a soft extension of the picture that
    /// the dream then paints over. `sourceFromOutput` is the map the warp used.
    public func softenedOutside(_ sourceFromOutput: AffineTransform, sigma: Double = 6) -> FloatImage {
        let w = width, h = height, plane = w * h
        // Which pixels read from outside, row bands on every core (a serial scan of 2 Mpx was ~2% of
        // a 1080p frame).
        var outside = [Bool](repeating: false, count: plane)
        outside.withUnsafeMutableBufferPointer { flags in
            let flags = flags.baseAddress!
            Bands.forEach(h) { rows in
                for y in rows {
                    for x in 0..<w {
                        let s = sourceFromOutput.apply(x: Double(x) + 0.5, y: Double(y) + 0.5)
                        if s.x < 0 || s.y < 0 || s.x > Double(w) || s.y > Double(h) { flags[y * w + x] = true }
                    }
                }
            }
        }
        guard outside.contains(true) else { return self }
        let soft = blurred(sigma: sigma)
        var out = self
        for i in 0..<plane where outside[i] { for c in 0..<3 { out.pixels[c * plane + i] = soft.pixels[c * plane + i] } }
        return out
    }
}
