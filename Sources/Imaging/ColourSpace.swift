import Foundation

/// CIELAB (D65 white) from sRGB in 0...255 and back. Lightness L* is 0...100; a* and b* are roughly
/// -128...127. LAB is used because its distances follow what the eye sees: pulling L*'s mean keeps the
/// brightness, pulling a*/b*'s spread keeps the saturation, without shifting hues the way per-channel
/// RGB matching does.
enum ColourSpace {
    @inline(__always) static func linear(_ v: Float) -> Float {
        let c = max(0, min(1, v / 255))
        return c <= 0.04045 ? c / 12.92 : powf((c + 0.055) / 1.055, 2.4)
    }

    @inline(__always) static func encoded(_ c: Float) -> Float {
        let v = c <= 0.0031308 ? 12.92 * c : 1.055 * powf(max(c, 0), 1 / 2.4) - 0.055
        return 255 * v
    }

    /// Values within `knee` of either end are compressed smoothly (tanh) into (0.6, 254.4), so they
    /// never round to 0 or 255: a dream pushes colours past the gamut every step, and a hard clamp
    /// would flatten them into clipped patches that lose all detail. Mid values are untouched.
    @inline(__always) static func rolledOff(_ v: Float) -> Float {
        let knee: Float = 6, top: Float = 254.4, bottom: Float = 0.6
        let hi = top - knee, lo = bottom + knee
        if v > hi { return hi + knee * tanhf((v - hi) / knee) }
        if v < lo { return lo - knee * tanhf((lo - v) / knee) }
        return v
    }

    // D65 reference white.
    static let xn: Float = 0.95047, zn: Float = 1.08883
    static let delta: Float = 6.0 / 29.0

    @inline(__always) static func f(_ t: Float) -> Float {
        t > delta * delta * delta ? cbrtf(t) : t / (3 * delta * delta) + 4.0 / 29.0
    }

    @inline(__always) static func fInverse(_ t: Float) -> Float {
        t > delta ? t * t * t : 3 * delta * delta * (t - 4.0 / 29.0)
    }

    @inline(__always) static func lab(r: Float, g: Float, b: Float) -> (Float, Float, Float) {
        let rl = linear(r), gl = linear(g), bl = linear(b)
        let x = 0.4124564 * rl + 0.3575761 * gl + 0.1804375 * bl
        let y = 0.2126729 * rl + 0.7151522 * gl + 0.0721750 * bl
        let z = 0.0193339 * rl + 0.1191920 * gl + 0.9503041 * bl
        let fx = f(x / xn), fy = f(y), fz = f(z / zn)
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }

    @inline(__always) static func rgb(l: Float, a: Float, b: Float) -> (Float, Float, Float) {
        let fy = (l + 16) / 116
        let x = xn * fInverse(fy + a / 500), y = fInverse(fy), z = zn * fInverse(fy - b / 200)
        let rl = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z
        let gl = -0.9692660 * x + 1.8760108 * y + 0.0415560 * z
        let bl = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z
        return (encoded(rl), encoded(gl), encoded(bl))
    }
}

/// Mean and spread (standard deviation) of L*, a* and b* over a picture: what colour coherence keeps
/// steady from frame to frame. Plain numbers, so a checkpoint can store them.
public struct ColourStats: Sendable, Equatable, Codable {
    public var meanL: Double, meanA: Double, meanB: Double
    public var spreadL: Double, spreadA: Double, spreadB: Double

    public init(meanL: Double, meanA: Double, meanB: Double, spreadL: Double, spreadA: Double, spreadB: Double) {
        self.meanL = meanL; self.meanA = meanA; self.meanB = meanB
        self.spreadL = spreadL; self.spreadA = spreadA; self.spreadB = spreadB
    }

    public init(of image: FloatImage) {
        let lab = image.labPlanes()
        let n = image.width * image.height
        var mean = [Double](repeating: 0, count: 3), sq = [Double](repeating: 0, count: 3)
        lab.withUnsafeBufferPointer { p in
            for c in 0..<3 {
                var s: Double = 0, s2: Double = 0
                for i in (c * n)..<((c + 1) * n) { let v = Double(p[i]); s += v; s2 += v * v }
                mean[c] = s / Double(n)
                sq[c] = max(0, s2 / Double(n) - mean[c] * mean[c])
            }
        }
        self.init(meanL: mean[0], meanA: mean[1], meanB: mean[2],
                  spreadL: sq[0].squareRoot(), spreadA: sq[1].squareRoot(), spreadB: sq[2].squareRoot())
    }

    var means: [Double] { [meanL, meanA, meanB] }
    var spreads: [Double] { [spreadL, spreadA, spreadB] }
}

extension FloatImage {
    /// L*, a*, b* planes, [3, H, W].
    public func labPlanes() -> [Float] {
        let n = width * height
        var out = [Float](repeating: 0, count: 3 * n)
        pixels.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                Bands.forEach(n) { range in
                    for i in range {
                        let (l, a, b) = ColourSpace.lab(r: p[i], g: p[n + i], b: p[2 * n + i])
                        o[i] = l; o[n + i] = a; o[2 * n + i] = b
                    }
                }
            }
        }
        return out
    }

    /// From L*, a*, b* planes; colours outside sRGB are clamped into 0...255 (or, with `softEdges`,
    /// rolled off smoothly so they stay a little inside it).
    public init(labPlanes lab: [Float], width: Int, height: Int, softEdges: Bool = false) {
        let n = width * height
        var px = [Float](repeating: 0, count: 3 * n)
        lab.withUnsafeBufferPointer { p in
            px.withUnsafeMutableBufferPointer { o in
                Bands.forEach(n) { range in
                    for i in range {
                        let (r, g, b) = ColourSpace.rgb(l: p[i], a: p[n + i], b: p[2 * n + i])
                        if softEdges {
                            o[i] = ColourSpace.rolledOff(r); o[n + i] = ColourSpace.rolledOff(g); o[2 * n + i] = ColourSpace.rolledOff(b)
                        } else {
                            o[i] = min(255, max(0, r)); o[n + i] = min(255, max(0, g)); o[2 * n + i] = min(255, max(0, b))
                        }
                    }
                }
            }
        }
        self.init(width: width, height: height, pixels: px)
    }

    /// Colour coherence: moves this picture's L*a*b* means and spreads a fraction `strength` (0...1)
    /// of the way to `reference`'s, by an affine map per channel (the structure stays; only the
    /// palette moves). Applied every frame, it holds a long zoom at the start picture's brightness and
    /// saturation, where the dream alone drifts towards neon or mud.
    public func colourPulled(toward reference: ColourStats, strength: Double) -> FloatImage {
        if strength <= 0 { return self }
        let s = min(1, strength)
        let current = ColourStats(of: self)
        var lab = labPlanes()
        let n = width * height
        let cm = current.means, cs = current.spreads, rm = reference.means, rs = reference.spreads
        for c in 0..<3 {
            let targetMean = cm[c] + s * (rm[c] - cm[c])
            // Geometric interpolation of the spread; a flat channel (spread ~0) is only shifted.
            let ratio = cs[c] > 1e-3 ? max(0.25, min(4, rs[c] / cs[c])) : 1
            let scale = Float(pow(ratio, s))
            let from = Float(cm[c]), to = Float(targetMean)
            lab.withUnsafeMutableBufferPointer { p in
                for i in (c * n)..<((c + 1) * n) { p[i] = (p[i] - from) * scale + to }
            }
        }
        return FloatImage(labPlanes: lab, width: width, height: height, softEdges: true)
    }
}
