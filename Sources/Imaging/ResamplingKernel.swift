import Foundation

/// The interpolation kernel used to resample images (resize and camera warp).
public enum ResamplingKernel: String, Sendable, CaseIterable {
    /// Windowed sinc with three lobes: sharp, little blur, mild ringing. The default.
    case lanczos3
    /// Keys cubic (a = -0.5): softer, no far lobes, cheaper.
    case bicubic

    /// Half-width of the kernel in source pixels at unit scale.
    public var support: Double {
        switch self {
        case .lanczos3: return 3
        case .bicubic: return 2
        }
    }

    /// The kernel evaluated exactly (used to build the lookup table and the resize weights).
    public func weight(_ x: Double) -> Double {
        let x = abs(x)
        switch self {
        case .lanczos3:
            if x < 1e-12 { return 1 }
            if x >= 3 { return 0 }
            // Integers other than zero are exact zeros; sin(pi * k) is not, in floating point.
            if x == x.rounded() { return 0 }
            let px = Double.pi * x
            return 3 * sin(px) * sin(px / 3) / (px * px)
        case .bicubic:
            let a = -0.5
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
            return 0
        }
    }
}

/// The kernel sampled finely so the per-frame warp does no trigonometry: 12 lookups per pixel
/// instead of 12 pairs of sin calls.
struct KernelTable: Sendable {
    static let samplesPerUnit = 1024
    let values: [Float]
    let support: Double

    init(_ kernel: ResamplingKernel) {
        support = kernel.support
        let n = Int(support) * Self.samplesPerUnit + 2
        values = (0..<n).map { Float(kernel.weight(Double($0) / Double(Self.samplesPerUnit))) }
    }

    /// The kernel at `distance` source pixels, read from `lut` (this table's `values`) linearly between
    /// samples; `scale` converts pixels to table steps (samplesPerUnit / widen), `limit` is values.count - 2.
    @inline(__always) static func weight(_ lut: UnsafeBufferPointer<Float>, distance: Float, scale: Float, limit: Float) -> Float {
        let u = abs(distance) * scale
        if u >= limit { return 0 }
        let k = Int(u)
        return lut[k] + (u - Float(k)) * (lut[k + 1] - lut[k])
    }
}
