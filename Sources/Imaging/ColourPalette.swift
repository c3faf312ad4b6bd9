import Foundation

/// What colour coherence keeps of the reference picture (the start image, or `--palette`): the mean
/// and spread of its lightness, and its colours as a whole distribution in the a*b* plane, so that
/// a navy/orange/green logo stays navy, orange and green rather than only as colourful on average.
/// The distribution is kept as quantiles of the a*b* values projected on `directions`: small, plain
/// numbers a checkpoint can store.
public struct ColourPalette: Sendable, Equatable, Codable {
    public var stats: ColourStats
    /// quantiles[d][k]: the value, along direction d, below which a share (k + 0.5) / count of the
    /// reference's pixels lie.
    public var quantiles: [[Float]]
    /// The reference's chroma by lightness (nil in a checkpoint from before it existed: no limit).
    public var chromaLimit: ChromaLimit?
    /// The spread of the reference's lightness in coarse and fine scales (nil in a checkpoint from
    /// before it existed: the spread of L* as a whole is pulled).
    public var lightnessBands: LightnessBands?
    /// The reference's mean chroma, sqrt(a*^2 + b*^2) (nil in a checkpoint from before it existed:
    /// no chroma gain, `ChromaGain`).
    public var meanChroma: Double?
    /// The mean lightness of the reference's colourful part (nil in a checkpoint from before it
    /// existed, or for a reference with less than 1% of its weight grey or colourful: the frame's
    /// whole mean is pulled).
    public var lightnessByChroma: LightnessByChroma?

    /// Rounds of the transfer; each matches the distribution along two perpendicular directions.
    static let rounds = 16
    static let quantileCount = 256
    /// Projections of a*b* (each within about -130...130) lie within this.
    static let range: (lower: Float, upper: Float) = (-200, 200)
    /// Pictures above this many pixels are sampled on a regular grid first: a 4000x3000 palette
    /// describes its colours as well through 262144 of its pixels.
    static let samplePixels = 512 * 512

    /// (cos, sin) of each direction; round r uses directions 2r and 2r + 1, perpendicular. The rounds'
    /// angles interleave (bit-reversed order over a quarter turn) so consecutive rounds look along
    /// directions far apart, which is what makes the iterated transfer converge in few rounds
    /// (Pitié, Kokaram and Dahyot, "N-dimensional probability density function transfer", 2005).
    static let directions: [(c: Float, s: Float)] = {
        var out: [(c: Float, s: Float)] = []
        for r in [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15] {
            let t = Double(r) * Double.pi / 2 / Double(rounds)
            out.append((Float(cos(t)), Float(sin(t))))
            out.append((Float(-sin(t)), Float(cos(t))))
        }
        return out
    }()

    public init(stats: ColourStats, quantiles: [[Float]], chromaLimit: ChromaLimit? = nil,
                lightnessBands: LightnessBands? = nil, meanChroma: Double? = nil, lightnessByChroma: LightnessByChroma? = nil) {
        self.stats = stats; self.quantiles = quantiles; self.chromaLimit = chromaLimit
        self.lightnessBands = lightnessBands; self.meanChroma = meanChroma; self.lightnessByChroma = lightnessByChroma
    }

    private enum CodingKeys: String, CodingKey { case stats, quantiles, chromaLimit, lightnessBands, meanChroma, lightnessByChroma }

    /// sRGB's most colourful a*b* lie within about 134 of grey.
    static let chromaRange: ClosedRange<Double> = 0...200

    /// As stored in a checkpoint, refused unless it has the shape the transfer indexes: a quantile
    /// list of `quantileCount` finite values for each of the `2 * rounds` directions, and a mean chroma
    /// (if any) within `chromaRange`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let quantiles = try c.decode([[Float]].self, forKey: .quantiles)
        guard quantiles.count == Self.directions.count,
              quantiles.allSatisfy({ $0.count == Self.quantileCount && $0.allSatisfy(\.isFinite) }) else {
            throw DecodingError.dataCorruptedError(forKey: .quantiles, in: c, debugDescription:
                "holds a palette of \(quantiles.count) quantile lists where \(Self.directions.count) of \(Self.quantileCount) finite values are made")
        }
        let meanChroma = try c.decodeIfPresent(Double.self, forKey: .meanChroma)
        if let meanChroma, !Self.chromaRange.contains(meanChroma) {
            throw DecodingError.dataCorruptedError(forKey: .meanChroma, in: c, debugDescription:
                "holds a mean chroma of \(meanChroma) where \(Self.chromaRange) is made")
        }
        self.init(stats: try c.decode(ColourStats.self, forKey: .stats), quantiles: quantiles,
                  chromaLimit: try c.decodeIfPresent(ChromaLimit.self, forKey: .chromaLimit),
                  lightnessBands: try c.decodeIfPresent(LightnessBands.self, forKey: .lightnessBands),
                  meanChroma: meanChroma,
                  lightnessByChroma: try c.decodeIfPresent(LightnessByChroma.self, forKey: .lightnessByChroma))
    }

    public init(of image: FloatImage) {
        let sampled = image.gridSampled(maxPixels: Self.samplePixels)
        let lab = sampled.labPlanes()
        let n = sampled.width * sampled.height
        var qs: [[Float]] = []
        var projected = [Float](repeating: 0, count: n)
        for d in Self.directions {
            for i in 0..<n { projected[i] = d.c * lab[n + i] + d.s * lab[2 * n + i] }
            let h = projected.withUnsafeBufferPointer { FineHistogram($0, lower: Self.range.lower, upper: Self.range.upper) }
            qs.append(h.quantiles(count: Self.quantileCount))
        }
        let chroma = (0..<n).map { i in (lab[n + i] * lab[n + i] + lab[2 * n + i] * lab[2 * n + i]).squareRoot() }
        self.init(stats: ColourStats(of: sampled), quantiles: qs,
                  chromaLimit: ChromaLimit(lightness: Array(lab[0..<n]), chroma: chroma),
                  lightnessBands: LightnessBands(lightness: Array(lab[0..<n]), width: sampled.width, height: sampled.height),
                  meanChroma: chroma.reduce(0) { $0 + Double($1) } / Double(Swift.max(1, n)),
                  lightnessByChroma: LightnessByChroma(lightness: Array(lab[0..<n]), greyness: chroma.map { LightnessByChroma.greyness(chroma: $0) }))
    }
}

extension FloatImage {
    /// Every k-th pixel of every k-th row, k the smallest step that leaves at most `maxPixels`:
    /// exact colours (no blending of a logo's flat areas into new ones), deterministic.
    func gridSampled(maxPixels: Int) -> FloatImage {
        let n = width * height
        guard n > maxPixels else { return self }
        var k = 2
        while (width / k) * (height / k) > maxPixels { k += 1 }
        let w = width / k, h = height / k
        var px = [Float](repeating: 0, count: 3 * w * h)
        for c in 0..<3 {
            for y in 0..<h {
                for x in 0..<w { px[c * w * h + y * w + x] = pixels[c * n + (y * k) * width + x * k] }
            }
        }
        return FloatImage(width: w, height: h, pixels: px)
    }

    /// Colour coherence on the whole palette: moves this picture's a*b* colours a fraction `strength`
    /// (0...1) of the way to a colour-by-colour match of `palette`'s distribution (an iterated
    /// transfer: in each round the colours' distributions along two perpendicular directions are
    /// matched by their quantiles), and its lightness's mean and spread band by band (`LightnessPull`: fine detail toward the
    /// reference's fine detail), and its mean chroma toward the reference's (`ChromaGain`: one gain on
    /// the frame's own chroma, weighted and bounded by `ChromaLimit`); a pixel whose own colour is near
    /// the palette colour it is given takes it (`PaletteSettle`); a pixel given more colour than the
    /// reference has at its lightness moves toward the lightness where it has it (`ChromaLimit.lightness`);
    /// a pixel given a colour sRGB cannot hold at its lightness moves toward the nearest lightness
    /// that holds it (`GamutChroma`). Each pixel keeps its rank within the picture, so the dream's structure
    /// stays and only which palette colour each part takes moves. Colours that leave sRGB lose chroma
    /// at their own lightness and hue, then roll off softly inside 0...255 (`ColourSpace.inGamut`).
    /// The a*b* transfer is fitted on at most `PaletteMap.fitPixels` colours and read from a grid
    /// (`PaletteMap`), and the pixels are done on every core: at 1920x1080 the colour stage went from
    /// 0.60 to 0.145 CPU-seconds a frame (perf, dog.jpg, 4 frames of the default walk; README).
    /// Deterministic: no randomness, a fixed order of sums, each pixel computed on its own.
    /// `firstFrame`: the video's frame 1, whose gain is not held close to 1 (`ChromaGain.firstFrameBounds`).
    public func colourPulled(toward palette: ColourPalette, strength: Double, firstFrame: Bool = false) -> FloatImage {
        colourPulled(toward: palette, strength: strength, firstFrame: firstFrame, gamutShare: GamutChroma.share)
    }

    /// As above, with `GamutChroma`'s share given (tests compare it with none).
    func colourPulled(toward palette: ColourPalette, strength: Double, firstFrame: Bool, gamutShare shareAtFullPull: Float) -> FloatImage {
        if strength <= 0 { return self }
        let s = Float(min(1, strength))
        let w = width, h = height, n = w * h
        // The curves from tables (ColourTables): this pass over every pixel is the colour stage's cost.
        // Each pixel's chroma is found here once, for the lightness pull's parts and the gain.
        var lab = [Float](repeating: 0, count: 3 * n), chroma = [Float](repeating: 0, count: n)
        ColourTables.linear.withUnsafeBufferPointer { lt in
            ColourTables.cubeRoot.withUnsafeBufferPointer { ct in
                pixels.withUnsafeBufferPointer { p in
                    lab.withUnsafeMutableBufferPointer { o in
                        chroma.withUnsafeMutableBufferPointer { oc in
                            Bands.forEach(n) { range in
                                for i in range {
                                    let (l, a, b) = ColourTables.lab(r: p[i], g: p[n + i], b: p[2 * n + i], linear: lt, cubeRoot: ct)
                                    o[i] = l; o[n + i] = a; o[2 * n + i] = b; oc[i] = (a * a + b * b).squareRoot()
                                }
                            }
                        }
                    }
                }
            }
        }
        // Lightness: mean and spread by bands (LightnessPull; a dream's texture lives in L*: matching
        // its whole distribution would posterise the texture onto the reference's few lightness levels).
        let pull = LightnessPull(lightness: lab[0..<n], chroma: chroma, width: w, height: h, toward: palette, strength: s)

        // The a*b* transfer, fitted on a grid sample of the colours (PaletteMap).
        var k = 1
        while (w / k) * (h / k) > PaletteMap.fitPixels { k += 1 }
        let sw = w / k, sh = h / k
        var sa = [Float](repeating: 0, count: sw * sh), sb = sa
        for y in 0..<sh {
            for x in 0..<sw { sa[y * sw + x] = lab[n + (y * k) * w + x * k]; sb[y * sw + x] = lab[2 * n + (y * k) * w + x * k] }
        }
        let map = PaletteMap(a: sa, b: sb, toward: palette)

        let limit = palette.chromaLimit
        // How far the gain pulls the mean chroma (ChromaGain.pull), the share of the way a pixel's
        // L* moves toward where the reference has its colour (ChromaLimit.lightness: measured best at
        // the same share), and how far a pixel near a palette colour settles on it (PaletteSettle).
        let chromaPull = ChromaGain.pull(coherence: s)
        // The chroma gain scales the frame's own colours (ChromaGain), before the transfer: the
        // transfer matches ranks along directions through grey, which a gain does not change, so the
        // gain never changes which palette colour a pixel is given, only how colourful what it keeps of
        // its own is. (Applied after the transfer and the limit it pushed the matched colours off the
        // palette: a*b* overlap 0.46 against 0.69 on PaletteTests' recoloured logo at strength 1.)
        // Per pixel: its pulled L*, its chroma, its share of the gain (the colour the reference has at
        // its lightness against the most it has at any, so mid-tones take the gain and pale background
        // texture little of it) and the most chroma the gain may give it (the reference's at its
        // lightness, ChromaLimit).
        var planes = [Float](repeating: 0, count: 4 * n)
        let mostColour = limit?.limits.max() ?? 1
        lab.withUnsafeBufferPointer { p in
            chroma.withUnsafeBufferPointer { c in
                planes.withUnsafeMutableBufferPointer { o in
                    Bands.forEach(n) { range in
                        for i in range {
                            let l = pull(i, p[i])
                            let here = limit?(l) ?? Float.greatestFiniteMagnitude
                            o[i] = l; o[n + i] = c[i]
                            o[2 * n + i] = limit == nil ? 1 : here / mostColour; o[3 * n + i] = here
                        }
                    }
                }
            }
        }
        var px = [Float](repeating: 0, count: 3 * n)
        ColourTables.encoded.withUnsafeBufferPointer { et in
            lab.withUnsafeBufferPointer { p in
                planes.withUnsafeBufferPointer { q in
                    /// Where the transfer takes pixel i's a* and b* (the gain does not move it).
                    func target(_ i: Int) -> (a: Float, b: Float) {
                        // At most 320x180 every pixel is in the fit and moved exactly.
                        k == 1 ? (map.fittedA[i], map.fittedB[i]) : map.mapped(p[n + i], p[2 * n + i])
                    }
                    /// Pixel i's L*, a* and b* with the gain `gain`, after the transfer to `t` and the limit;
                    /// its L* is `fixed` if given, else moved on its own (`ChromaLimit.lightness`).
                    func moved(_ i: Int, _ gain: Float, to t: (a: Float, b: Float), lightness fixed: Float? = nil) -> (l: Float, a: Float, b: Float) {
                        let g = ChromaGain.scale(chroma: q[n + i], weight: q[2 * n + i], cap: q[3 * n + i], gain: gain)
                        let a = g * p[n + i], b = g * p[2 * n + i]
                        var na = a + s * (t.a - a), nb = b + s * (t.b - b), nl = q[i]
                        // A pixel whose own colour (before the gain) is near a palette colour it is
                        // given takes it (PaletteSettle).
                        let settle = chromaPull * PaletteSettle.share(own: (p[n + i], p[2 * n + i]), given: t)
                        na += settle * (t.a - na); nb += settle * (t.b - nb)
                        if let limit {
                            // The transfer gives no more colour than the reference has at this
                            // lightness (ChromaLimit); the dream's own colour stays. A pixel whose
                            // own colour is already much of what it is given moves toward the
                            // lightness where the reference has that colour (ChromaLimit.lightness)
                            // instead of only losing it: a red logo's dreamed pinks become its red.
                            let c2 = na * na + nb * nb, own = (a * a + b * b).squareRoot()
                            var most: Float
                            if let fixed {
                                nl = fixed
                                most = Swift.max(limit(nl), own)
                            } else {
                                most = Swift.max(q[3 * n + i], own)
                                if c2 > most * most {
                                    let c = c2.squareRoot()
                                    let share = chromaPull * Swift.min(1, own / c)
                                    nl += share * (limit.lightness(holding: c, nearest: nl) - nl)
                                    most = Swift.max(limit(nl), own)
                                }
                            }
                            if c2 > most * most { let k = most / c2.squareRoot(); na *= k; nb *= k }
                        }
                        return (nl, na, nb)
                    }
                    // The gain that moves the frame's mean chroma after the transfer and the limit
                    // `ChromaGain.pull(coherence: s)` of the way to the reference's, measured on every
                    // k-th pixel of every k-th row (their transfer targets found once: the bisection
                    // evaluates the mean ~14 times).
                    var sample: [Int] = []
                    for y in stride(from: 0, to: h, by: k) { for x in stride(from: 0, to: w, by: k) { sample.append(y * w + x) } }
                    let targets = sample.map(target)
                    let gain = ChromaGain(count: sample.count, reference: palette.meanChroma, strength: chromaPull,
                                          bounds: firstFrame ? ChromaGain.firstFrameBounds : ChromaGain.bounds) { j, g in
                        let (_, na, nb) = moved(sample[j], g, to: targets[j])
                        return (na * na + nb * nb).squareRoot()
                    }.gain
                    // The lightness moves as a smooth field (LightnessMoveField), found on the fit's
                    // sample with the gain found above (whose means took each pixel's own move).
                    // Empty: no limit (or no pixel), no move.
                    let lightnessMoves = limit == nil || n == 0 ? []
                        : LightnessMoveField(width: w, height: h, step: k) { i in moved(i, gain, to: target(i)).l - q[i] }.perPixel()
                    // A colour sRGB cannot hold at a pixel's lightness takes the nearest lightness
                    // that holds it, half the way and by the pixel's own colour's share of it
                    // (GamutChroma; with a chroma limit, as the move above).
                    let gamutShare = limit == nil ? 0 : shareAtFullPull * chromaPull
                    lightnessMoves.withUnsafeBufferPointer { mv in
                        GamutChroma.table.withUnsafeBufferPointer { gt in
                            px.withUnsafeMutableBufferPointer { o in
                                Bands.forEach(n) { range in
                                    for i in range {
                                        var (nl, na, nb) = moved(i, gain, to: target(i), lightness: mv.isEmpty ? nil : q[i] + mv[i])
                                        nl = GamutChroma.lightness(gt, l: nl, a: na, b: nb, own: q[n + i], share: gamutShare)
                                        let (r, gr, bl) = ColourSpace.inGamut(l: nl, a: na, b: nb, encoded: et)
                                        o[i] = r; o[n + i] = gr; o[2 * n + i] = bl
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return FloatImage(width: w, height: h, pixels: px)
    }

    /// Each channel rolled off softly inside 0...255 (`ColourSpace.rolledOff`): for frames made by
    /// resampling and sharpening, whose ringing overshoots the range and would clip when written.
    public func softEdged() -> FloatImage {
        var out = self
        out.pixels.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = ColourSpace.rolledOff(p[i]) }
        }
        return out
    }
}

extension ColourSpace {
    /// How far outside 0...255 `inGamut` lets a channel go before it takes chroma; `rolledOff` brings
    /// the rest inside.
    static let overshoot: Float = 6

    /// sRGB (0...255) for L*a*b*, kept inside the gamut softly. A colour past the gamut keeps its
    /// lightness and hue and loses chroma until no channel is more than `overshoot` outside 0...255
    /// (bisection on the chroma), then every channel rolls off smoothly inside (`rolledOff`). A hard
    /// per-channel clamp would shift hues and pile colours up on the gamut's surface, where they
    /// round to 0 or 255 and lose all detail; the overshoot left to the roll-off keeps some gradation.
    /// `encoded`: `ColourTables.encoded`.
    @inline(__always) static func inGamut(l: Float, a: Float, b: Float, encoded: UnsafeBufferPointer<Float>) -> (Float, Float, Float) {
        let lo = -overshoot, hi = 255 + overshoot
        let ll = max(0, min(100, l))
        func rgb(l: Float, a: Float, b: Float) -> (Float, Float, Float) { ColourTables.rgb(l: l, a: a, b: b, encoded: encoded) }
        var (r, g, bl) = rgb(l: ll, a: a, b: b)
        if min(r, g, bl) < lo || max(r, g, bl) > hi {
            var inside: Float = 0, outside: Float = 1
            for _ in 0..<10 {
                let t = 0.5 * (inside + outside)
                let (r1, g1, b1) = rgb(l: ll, a: t * a, b: t * b)
                if min(r1, g1, b1) >= lo && max(r1, g1, b1) <= hi { inside = t } else { outside = t }
            }
            (r, g, bl) = rgb(l: ll, a: inside * a, b: inside * b)
        }
        return (rolledOff(r), rolledOff(g), rolledOff(bl))
    }
}
