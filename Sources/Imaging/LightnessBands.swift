import Foundation

/// The spread of a picture's lightness in two bands of scale: the coarse base (a Gaussian blur of
/// L* at `sigma` pixels) and the detail (L* less that base). Colour coherence used to pull the
/// spread of L* as a whole toward the reference's: a page of thin black lines has a large spread
/// that lives entirely in 1-pixel detail, and the dream's broader strokes were held to that spread,
/// so the detail went: sharpness last/first 0.59-0.72 on the thin lines and text (1.04 without
/// coherence, but the page darkened by 18 L*). Pulling each band toward the reference's own band
/// keeps the lightness where it was and the fine detail as fine as the reference's.
public struct LightnessBands: Sendable, Equatable, Codable {
    public var base: Float, detail: Float

    /// Detail is what a blur of this many pixels takes away.
    static let sigma = 1.0

    public init(base: Float, detail: Float) { self.base = base; self.detail = detail }

    /// The bands of `lightness` (width x height values).
    init(lightness: [Float], width: Int, height: Int) {
        self.init(lightness: lightness,
                  base: FloatImage.blurredPlanes(lightness, width: width, height: height, planes: 1, sigma: Self.sigma))
    }

    /// The bands of `lightness` whose base (its blur at `sigma`) is `base`.
    init(lightness: [Float], base: [Float]) {
        self.init(base: Self.spread(base), detail: Self.spread(zip(lightness, base).map { $0 - $1 }))
    }

    static func spread(_ v: [Float]) -> Float {
        var s: Double = 0, s2: Double = 0
        for x in v { s += Double(x); s2 += Double(x) * Double(x) }
        let n = Double(max(1, v.count)), m = s / n
        return Float(max(0, s2 / n - m * m).squareRoot())
    }

    private enum CodingKeys: String, CodingKey { case base, detail }

    /// As stored in a checkpoint, refused unless both spreads are finite and not negative.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let base = try c.decode(Float.self, forKey: .base), detail = try c.decode(Float.self, forKey: .detail)
        guard base.isFinite, detail.isFinite, base >= 0, detail >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .base, in: c, debugDescription:
                "holds lightness spreads \(base) and \(detail) where finite, non-negative values are made")
        }
        self.init(base: base, detail: detail)
    }
}
