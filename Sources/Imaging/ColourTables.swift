import Foundation

/// `ColourSpace`'s curves (sRGB's transfer both ways, L*a*b*'s cube root) read from tables, linear
/// between 4096 steps, for the palette transfer's pass over every pixel: at 1920x1080 powf and cbrtf
/// were 8.5% of a render's CPU samples (perf, 499 Hz), most of the colour stage's. The tables differ
/// from the exact curves by under 1e-5 of their range (0.004 of an 8-bit level after `encoded`).
/// Values outside a table's range take the exact curve.
enum ColourTables {
    static let steps = 4096

    private static func table(upTo top: Float, _ f: (Float) -> Float) -> [Float] {
        (0...steps).map { f(top * Float($0) / Float(steps)) }
    }

    static let linear = table(upTo: 255, ColourSpace.linear)
    static let cubeRoot = table(upTo: 1, ColourSpace.f)
    static let encoded = table(upTo: 1, ColourSpace.encoded)

    @inline(__always) private static func read(_ t: UnsafeBufferPointer<Float>, _ x: Float) -> Float {
        let i = Swift.min(steps - 1, Int(x)), w = x - Float(i)
        return t[i] + w * (t[i + 1] - t[i])
    }

    /// L*, a*, b* as `ColourSpace.lab`.
    @inline(__always) static func lab(r: Float, g: Float, b: Float, linear lt: UnsafeBufferPointer<Float>,
                                      cubeRoot ct: UnsafeBufferPointer<Float>) -> (Float, Float, Float) {
        let k = Float(steps) / 255
        let rl = read(lt, Swift.max(0, Swift.min(255, r)) * k), gl = read(lt, Swift.max(0, Swift.min(255, g)) * k)
        let bl = read(lt, Swift.max(0, Swift.min(255, b)) * k)
        let x = 0.4124564 * rl + 0.3575761 * gl + 0.1804375 * bl
        let y = 0.2126729 * rl + 0.7151522 * gl + 0.0721750 * bl
        let z = 0.0193339 * rl + 0.1191920 * gl + 0.9503041 * bl
        func f(_ t: Float) -> Float { t >= 0 && t <= 1 ? read(ct, t * Float(steps)) : ColourSpace.f(t) }
        let fx = f(x / ColourSpace.xn), fy = f(y), fz = f(z / ColourSpace.zn)
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }

    /// sRGB (unclamped) as `ColourSpace.rgb`.
    @inline(__always) static func rgb(l: Float, a: Float, b: Float, encoded et: UnsafeBufferPointer<Float>) -> (Float, Float, Float) {
        let fy = (l + 16) / 116
        let x = ColourSpace.xn * ColourSpace.fInverse(fy + a / 500), y = ColourSpace.fInverse(fy)
        let z = ColourSpace.zn * ColourSpace.fInverse(fy - b / 200)
        let rl = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z
        let gl = -0.9692660 * x + 1.8760108 * y + 0.0415560 * z
        let bl = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z
        func e(_ c: Float) -> Float { c >= 0 && c <= 1 ? read(et, c * Float(steps)) : ColourSpace.encoded(c) }
        return (e(rl), e(gl), e(bl))
    }
}
