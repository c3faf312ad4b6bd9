import Foundation

/// The most chroma sRGB holds at each lightness and hue, and where a colour it cannot hold at a
/// pixel's lightness goes instead.
///
/// Why: a flag's red (L* 48, chroma 80) exists in sRGB only between L* 43 and 62, its blue (L* 45,
/// chroma 79) between 43 and 57. The dream paints strokes darker and lighter than that; the palette
/// transfer gives them the red or the blue, and `ColourSpace.inGamut` took the chroma back at their
/// own lightness, so they came out a duller red or blue, in the next a*b* histogram bin: zoomed into
/// the flag (frames 60-80 of the default walk at 320x180), 47-70% of the red and blue pixels outside
/// their bin were at a lightness where sRGB cannot hold the colour, and the palette's worst 30-frame
/// window was 0.52 (goal 0.6). `ChromaLimit`'s lightness move does not see it: the reference's
/// anti-aliased edges hold chroma 81-88 at every lightness from 24 to 64.
enum GamutChroma {
    /// Hue bins of 2 degrees; each holds a curve over lightness (`LightnessNodes`).
    static let hues = 180

    /// The share of the way to that lightness a pixel moves at full pull, times its own chroma's
    /// share of the colour it is given (`ColourPalette`). The flag (seeds 0, 1) and the red logo,
    /// default walk at 320x180, worst 30-frame window: none 0.523, 0.516, 0.693; share 1 0.604,
    /// 0.599, 0.747; 0.5 0.614, 0.625, 0.748, whose strokes keep more of their shading.
    static let share: Float = 0.5

    /// table[h * LightnessNodes.count + j]: the most chroma at hue 2h degrees and L* 2j whose colour is
    /// no more than `ColourSpace.inGamut`'s overshoot outside 0...255 on any channel (what it keeps),
    /// by bisection.
    static let table: [Float] = {
        let nodes = LightnessNodes.count
        var out = [Float](repeating: 0, count: nodes * hues)
        let lo = -ColourSpace.overshoot, hi = 255 + ColourSpace.overshoot
        for h in 0..<hues {
            let angle = Float(2 * h) * .pi / 180, ca = cosf(angle), sa = sinf(angle)
            for j in 0..<nodes {
                var inside: Float = 0, outside: Float = 200
                for _ in 0..<16 {
                    let c = 0.5 * (inside + outside)
                    let (r, g, b) = ColourSpace.rgb(l: Float(2 * j), a: c * ca, b: c * sa)
                    if min(r, g, b) >= lo && max(r, g, b) <= hi { inside = c } else { outside = c }
                }
                out[h * nodes + j] = inside
            }
        }
        return out
    }()

    /// The least of `table` over the hues at each node: a chroma sRGB holds at that lightness
    /// whatever the hue, so most of a dream's pixels are passed without finding their hue.
    static let leastOverHues: [Float] = (0..<LightnessNodes.count).map { j in
        (0..<hues).map { table[$0 * LightnessNodes.count + j] }.min()!
    }

    /// The hue bin nearest the hue of (a*, b*).
    @inline(__always) static func hue(a: Float, b: Float) -> Int {
        var degrees = atan2f(b, a) * 180 / .pi
        if degrees < 0 { degrees += 360 }
        return Int((degrees / 2).rounded()) % hues
    }

    /// Hue bin `h`'s curve in `t` (`table`).
    @inline(__always) private static func row(_ t: UnsafeBufferPointer<Float>, _ h: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(rebasing: t[(h * LightnessNodes.count)..<((h + 1) * LightnessNodes.count)])
    }

    /// The most chroma at lightness `l` in hue bin `h`. `t`: `table`.
    @inline(__always) static func most(_ t: UnsafeBufferPointer<Float>, hue h: Int, l: Float) -> Float {
        LightnessNodes.value(row(t, h), at: l)
    }

    /// The lightness nearest `l` at which hue bin `h` holds `chroma`; the most colourful lightness
    /// of that hue if none does.
    @inline(__always) static func lightness(_ t: UnsafeBufferPointer<Float>, holding chroma: Float, hue h: Int, nearest l: Float) -> Float {
        LightnessNodes.lightness(row(t, h), holding: chroma, nearest: l)
    }

    /// A pixel's L* after colour coherence gave it (a*, b*) at lightness `l`: if sRGB cannot hold
    /// that colour there, it moves toward the nearest lightness that can, `share` (0...1) of the way
    /// times its own chroma `own` (before coherence) over the chroma it is given, at most 1: a faint
    /// tint given a strong colour stays where it is. Else `l`.
    @inline(__always) static func lightness(_ t: UnsafeBufferPointer<Float>, l: Float, a: Float, b: Float, own: Float, share: Float) -> Float {
        let c = (a * a + b * b).squareRoot()
        guard share > 0, c > 0 else { return l }
        if c <= LightnessNodes.value(leastOverHues, at: l) { return l }
        let h = hue(a: a, b: b)
        if most(t, hue: h, l: l) >= c { return l }
        return l + share * Swift.min(1, own / c) * (lightness(t, holding: c, hue: h, nearest: l) - l)
    }
}
