/// The mean lightness of a picture's colourful pixels, each pixel counted as colour by 1 less its
/// `greyness` (of its chroma). Colour coherence moves a pixel's lightness, by its colourful share, as
/// the frame's colourful part moves toward the reference's (`LightnessPull`); by its grey share, as
/// the whole mean moves toward the reference's whole mean, as before.
///
/// Why: a flat logo on white is half white; when the zoom enters the logo the white share of the view
/// falls (an orange logo: 46% of frame 1 above L* 90 with no colour, 8% in frame 30), and holding the
/// frame's mean L* at the start image's lifted the logo's colour instead: the orange from L* 64 to
/// 73, where sRGB and `ChromaLimit` hold less of it, so it came out pale orange, in other a*b*
/// histogram bins than frame 1's orange (worst 30-frame window 0.31-0.34 over seeds 0-2, goal 0.6).
/// Its colourful share pulled toward the start image's colours, the orange keeps its lightness
/// (README, looks). Pulling the grey share toward the start image's grey mean too (the white's)
/// lifted the dream's grey texture on a logo on white into high key: L* drift +8.1 and chroma
/// last/first 0.70 (goals 8 and 0.75; seed 1), against +3.0 and 0.91 with the whole mean's move.
/// Pulling colourful pixels less (their share of the whole mean's move falling with chroma) let a
/// flag's L* drift -8.7.
/// A picture with less than 1% of its weight in either part (a greyscale photo, a page of black
/// lines) has none: its whole mean is pulled as before.
public struct LightnessByChroma: Sendable, Equatable, Codable {
    public var colour: Float

    public init(colour: Float) { self.colour = colour }

    /// A pixel's weight as grey: 1 at chroma 0, 1/2 at `halfChroma`, falling with its square; about
    /// the chroma at which a tint reads as a colour (Delta E*ab 2.3 is a just-noticeable difference).
    static let halfChroma: Float = 20
    @inline(__always) static func greyness(chroma c: Float) -> Float {
        halfChroma * halfChroma / (halfChroma * halfChroma + c * c)
    }

    /// From `lightness` and each pixel's `greyness`; nil when the grey or the colourful part holds
    /// less than 1% of the weight.
    init?(lightness: [Float], greyness: [Float]) {
        precondition(lightness.count == greyness.count)
        var sc: Double = 0, wg: Double = 0, wc: Double = 0
        for i in lightness.indices {
            let g = Double(greyness[i])
            wg += g; sc += (1 - g) * Double(lightness[i]); wc += 1 - g
        }
        let n = Double(Swift.max(1, lightness.count))
        guard wg >= 0.01 * n, wc >= 0.01 * n else { return nil }
        self.init(colour: Float(Swift.min(100, Swift.max(0, sc / wc))))
    }

    private enum CodingKeys: String, CodingKey { case colour }

    /// As stored in a checkpoint, refused unless the mean is an L* value (0...100).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let colour = try c.decode(Float.self, forKey: .colour)
        guard (0...100).contains(colour) else {
            throw DecodingError.dataCorruptedError(forKey: .colour, in: c, debugDescription:
                "holds a mean lightness of \(colour) where a value within 0...100 is made")
        }
        self.init(colour: colour)
    }
}
