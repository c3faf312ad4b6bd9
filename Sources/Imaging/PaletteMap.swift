/// The a*b* -> a*b* map of one frame's palette transfer, fitted once and then applied to every pixel.
///
/// The iterated transfer (`ColourPalette`) moves each colour by 16 rounds of quantile matching; each
/// round's 1-D maps depend only on the distribution of the frame's colours, not on any one pixel, so
/// the whole transfer is a fixed function of (a*, b*). It is fitted on at most `fitPixels` of the
/// frame's pixels (every k-th of every k-th row) and tabulated on a 1-unit a*b* grid, which each
/// pixel then reads bilinearly: at 1920x1080 that replaced 16 rounds over 2 Mpx (0.8 s a frame,
/// single-threaded) by 16 rounds over 57,600 colours and 66,049 grid points plus one lookup a pixel.
/// A 1-unit step is below what the eye tells apart (a*b* distance 1); a frame up to 320x180 is
/// fitted on all its pixels and takes their exact results.
struct PaletteMap {
    static let fitPixels = 320 * 180
    /// The grid covers a* and b* in -limit...limit (sRGB's a*b* lie within about -108...98); colours
    /// beyond read the edge.
    static let limit = 128
    static var side: Int { 2 * limit + 1 }

    /// Mapped a* and b* at grid node (a + limit, b + limit), b-major.
    private var mappedA: [Float], mappedB: [Float]
    /// The sample's own colours, mapped exactly (not read from the grid).
    let fittedA: [Float], fittedB: [Float]
    /// Colours many sampled pixels share exactly (a flat logo's areas), with their exact mapping.
    /// The transfer is flat across such a colour (it takes the middle of the colour's share) and steep
    /// just beside it, which a 1-unit grid would blur: read from the grid, a saturated primary among
    /// two others came out another hue.
    private(set) var spikes: [(a: Float, b: Float, toA: Float, toB: Float)] = []
    /// A colour is a spike when at least this share of the sample has it exactly (at most
    /// `maxSpikes` of them, the commonest: each pixel is compared with each).
    static let spikeShare = 0.01, maxSpikes = 16

    /// Fits the transfer of the colours `a`, `b` (one pair per sampled pixel) toward `palette`.
    init(a: [Float], b: [Float], toward palette: ColourPalette) {
        precondition(a.count == b.count)
        let original = (a: a, b: b)
        var a = a, b = b
        let side = Self.side, nodes = side * side
        var ga = [Float](repeating: 0, count: nodes), gb = [Float](repeating: 0, count: nodes)
        for j in 0..<side {
            for i in 0..<side { ga[j * side + i] = Float(i - Self.limit); gb[j * side + i] = Float(j - Self.limit) }
        }
        let n = a.count
        var p = [Float](repeating: 0, count: n), q = [Float](repeating: 0, count: n)
        let (lo, hi) = ColourPalette.range
        for r in 0..<ColourPalette.rounds {
            let d = ColourPalette.directions[2 * r]   // the second is (-d.s, d.c)
            for i in 0..<n {
                p[i] = d.c * a[i] + d.s * b[i]
                q[i] = -d.s * a[i] + d.c * b[i]
            }
            let hp = p.withUnsafeBufferPointer { FineHistogram($0, lower: lo, upper: hi) }
            let hq = q.withUnsafeBufferPointer { FineHistogram($0, lower: lo, upper: hi) }
            let tp = palette.quantiles[2 * r], tq = palette.quantiles[2 * r + 1]
            // Each colour moves on its own: on every core.
            func move(_ a: inout [Float], _ b: inout [Float]) {
                a.withUnsafeMutableBufferPointer { a in
                    b.withUnsafeMutableBufferPointer { b in
                        Bands.forEach(a.count) { range in
                            for i in range {
                                let pi = d.c * a[i] + d.s * b[i], qi = -d.s * a[i] + d.c * b[i]
                                let u = tp.quantile(at: hp.share(below: pi)), v = tq.quantile(at: hq.share(below: qi))
                                a[i] = d.c * u - d.s * v
                                b[i] = d.s * u + d.c * v
                            }
                        }
                    }
                }
            }
            move(&a, &b)
            move(&ga, &gb)
        }
        mappedA = ga; mappedB = gb
        fittedA = a; fittedB = b
        var seen: [UInt64: (count: Int, index: Int)] = [:]
        for i in 0..<n {
            let key = UInt64(original.a[i].bitPattern) << 32 | UInt64(original.b[i].bitPattern)
            seen[key, default: (0, i)].count += 1
        }
        let enough = max(2, Int((Double(n) * Self.spikeShare).rounded(.up)))
        spikes = seen.values.filter { $0.count >= enough }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.index < $1.index }
            .prefix(Self.maxSpikes).map(\.index)
            .map { (original.a[$0], original.b[$0], a[$0], b[$0]) }
    }

    /// The mapped colour of (a, b): exact for a spike's colour, else from the grid.
    @inline(__always) func mapped(_ a: Float, _ b: Float) -> (Float, Float) {
        for s in spikes where s.a == a && s.b == b { return (s.toA, s.toB) }
        return self(a, b)
    }

    /// The mapped colour of (a, b), bilinear between grid nodes.
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> (Float, Float) {
        let l = Float(Self.limit), side = Self.side
        let x = Swift.max(0, Swift.min(2 * l, a + l)), y = Swift.max(0, Swift.min(2 * l, b + l))
        let i = Swift.min(side - 2, Int(x)), j = Swift.min(side - 2, Int(y))
        let tx = x - Float(i), ty = y - Float(j)
        let k = j * side + i
        return mappedA.withUnsafeBufferPointer { ma in
            mappedB.withUnsafeBufferPointer { mb in
                let a0 = ma[k] + tx * (ma[k + 1] - ma[k]), a1 = ma[k + side] + tx * (ma[k + side + 1] - ma[k + side])
                let b0 = mb[k] + tx * (mb[k + 1] - mb[k]), b1 = mb[k + side] + tx * (mb[k + side + 1] - mb[k + side])
                return (a0 + ty * (a1 - a0), b0 + ty * (b1 - b0))
            }
        }
    }
}
