/// How colourful the reference picture is at each lightness: the chroma (sqrt(a*^2 + b*^2)) below
/// which 90% of its pixels of about that L* lie. The palette transfer matches a*b* without looking
/// at L*, so on a flat logo, once the zoom shows mostly white background, it gave the logo's green
/// to pale pixels (L* 80-100) to fill the green's share: pale mint patches from frame ~150 (the logo
/// on white at 320x180: 0.1% of pixels light (L* > 80) and greenish (a* < -15) in frame 1, 4.7% in
/// frame 150, 5.3% in frame 300). The transfer may not make a pixel more colourful than this limit at
/// its lightness (nor than it already was): a colour the reference never has at that lightness is not
/// made. (Fading what a pixel already had beyond the limit took the dream's own colour too: chroma
/// last/first 0.74 on PaletteTests' squeezenet walk.)
/// `ChromaGain` reads it too: a pixel's share of the gain that keeps the frame's mean chroma is the
/// limit at its L* against the largest limit, and the gain gives no pixel more than the limit.
public struct ChromaLimit: Sendable, Equatable, Codable {
    /// limits[j]: the limit at L* = 2j (j = 0...50).
    public var limits: [Float]

    static let share: Float = 0.9
    /// The transfer may always give this much colour: a dream's own light tints stay.
    static let floor: Float = 10
    /// Pixels of L* within this of a node count for it; widened in these steps until they hold 0.2% of
    /// the picture. (Without the widening, the dream's texture at lightnesses between a flat logo's
    /// colours lost its colour: chroma last/first 0.41 on PaletteTests' squeezenet walk.)
    static let window = 4

    /// From L* and chroma, one pair per pixel.
    init(lightness: [Float], chroma: [Float]) {
        precondition(lightness.count == chroma.count)
        // counts[l][c]: pixels of L* in [l, l+1) and chroma in [c/2, (c+1)/2).
        let chromaBins = 320
        var counts = [[Float]](repeating: [Float](repeating: 0, count: chromaBins), count: 101)
        for i in lightness.indices {
            let l = Swift.max(0, Swift.min(100, Int(lightness[i])))
            let c = Swift.max(0, Swift.min(chromaBins - 1, Int(chroma[i] * 2)))
            counts[l][c] += 1
        }
        let enough = Swift.max(1, Float(lightness.count) * 0.002)
        var out: [Float] = []
        for j in 0..<Self.nodes {
            // A lightness the reference has few pixels of takes the limit of the nearest ones it has
            // (a logo without anti-aliasing has no L* between its flat colours and white).
            var reach = Self.window
            var sum = [Float](repeating: 0, count: chromaBins), total: Float = 0
            while true {
                sum = [Float](repeating: 0, count: chromaBins); total = 0
                for l in Swift.max(0, 2 * j - reach)...Swift.min(100, 2 * j + reach) {
                    for c in 0..<chromaBins { sum[c] += counts[l][c] }
                    total += counts[l].reduce(0, +)
                }
                if total >= enough || reach >= 100 { break }
                reach += Self.window
            }
            var below: Float = 0, c = 0
            while c < chromaBins - 1 && below + sum[c] < Self.share * total { below += sum[c]; c += 1 }
            out.append(Swift.max(Self.floor, Float(c + 1) / 2))
        }
        limits = out
    }

    private enum CodingKeys: String, CodingKey { case limits }

    /// As stored in a checkpoint, refused unless it holds the 51 finite limits `callAsFunction` reads.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let limits = try c.decode([Float].self, forKey: .limits)
        guard limits.count == Self.nodes, limits.allSatisfy(\.isFinite) else {
            throw DecodingError.dataCorruptedError(forKey: .limits, in: c, debugDescription:
                "holds \(limits.count) chroma limits where \(Self.nodes) finite values are made")
        }
        self.limits = limits
    }

    /// Nodes at L* = 0, 2, ..., 100.
    static let nodes = LightnessNodes.count

    /// The lightness nearest `l` at which the limit is at least `chroma` (where the reference has a
    /// colour that colourful); the lightness of the largest limit if none is.
    ///
    /// Colour coherence moves a pixel the palette transfer gives more colour than the limit at its
    /// lightness toward this lightness, by the coherence's share (`ChromaGain.pull`) times its own
    /// chroma over the colour it is given (at most 1), the moves smoothed over the picture
    /// (`LightnessMoveField`). Why: the transfer matches a*b* alone, and a picture's colours live at
    /// their own lightness. A red logo (L* 52, chroma 74) with a cream letter dreamed its letter into
    /// pinks (L* 60-85), where sRGB holds at most chroma 50-30 at red's hue and the limit less: kept
    /// at their L*, the transfer's red came out pink, a*b* bins away from the red, and the palette's
    /// worst 30-frame window fell to 0.27-0.28 (goal 0.6). 320x180, 300 frames of the default walk,
    /// worst window of the red logo (seeds 0, 1) and the logo on white (seed 0), pixel by pixel at
    /// share 0.5: 0.601, 0.605, 0.740; 0.7: 0.677, 0.678, 0.742; 1: 0.717, -, 0.743. Moving every
    /// pixel whatever its own colour turned the white logo's faint tints into flat orange and green
    /// blotches, and pixel by pixel (0.7, also capped at 4 L* a frame, or in proportion to the own
    /// colour's share along the given hue) the 4000x3000 photo's pale texture filled with olive
    /// specks. Smoothed (sigma 2 pixels at 320x180): 0.621 at 0.7, and 0.658 (seeds 0-3
    /// 0.657-0.660) at 1, kept, the logo on white 0.744, the photo without specks.
    func lightness(holding chroma: Float, nearest l: Float) -> Float {
        LightnessNodes.lightness(limits, holding: chroma, nearest: l)
    }

    /// The limit at lightness `l`, linear between nodes.
    @inline(__always) func callAsFunction(_ l: Float) -> Float {
        LightnessNodes.value(limits, at: l)
    }
}
