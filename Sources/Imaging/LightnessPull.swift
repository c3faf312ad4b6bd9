import Foundation

/// The lightness half of colour coherence: where each pixel's L* goes. The mean moves a fraction
/// `strength` of the way to the reference's. With the reference's `LightnessBands`, the spread is
/// pulled band by band: the coarse base (L* blurred at `LightnessBands.sigma`) toward the
/// reference's base spread, the detail (L* less the base) toward the reference's detail spread. The
/// whole spread pulled toward the reference's held the dream's broad strokes to the spread a page of
/// thin lines has in its 1-pixel lines, and the fine detail faded: sharpness last/first 0.635 on the
/// thin lines and text with seed 0; pulled by bands 0.84 (README). Without bands (a checkpoint from
/// before them) the spread as a whole, as before. With the reference's `LightnessByChroma`, each
/// pixel's mean move is, by its grey weight, the whole mean's move and, by the rest, the move of the
/// frame's colourful part toward the reference's colours' mean lightness.
struct LightnessPull {
    private let from: Float, to: Float, baseScale: Float, detailScale: Float
    /// The base of each pixel's L* (nil: no bands, the pixel's own L* is its base).
    private let base: [Float]?
    /// Each pixel's grey weight (`LightnessByChroma.greyness`; its grey share moves as the whole
    /// mean, `to - from`) and the move of the colourful share (nil: all of it moves as the whole mean).
    private let parts: (greyness: [Float], colourMove: Float)?

    /// `lightness` and `chroma`: the frame's L* and chroma, width x height values each.
    init(lightness: ArraySlice<Float>, chroma: [Float], width: Int, height: Int, toward palette: ColourPalette, strength s: Float) {
        let l = Array(lightness)
        let n = Double(max(1, l.count))
        var sum: Double = 0
        for v in l { sum += Double(v) }
        let mean = sum / n
        from = Float(mean); to = Float(mean + Double(s) * (palette.stats.meanL - mean))
        if let reference = palette.lightnessByChroma {
            let greyness = chroma.map { LightnessByChroma.greyness(chroma: $0) }
            parts = LightnessByChroma(lightness: l, greyness: greyness).map { (greyness, s * (reference.colour - $0.colour)) }
        } else {
            parts = nil
        }
        // A spread moves by the ratio to the reference's raised to the strength, within 4x either way.
        func pulled(_ reference: Double, _ mine: Double) -> Float {
            mine > 1e-3 ? Float(pow(max(0.25, min(4, reference / mine)), Double(s))) : 1
        }
        if let bands = palette.lightnessBands {
            let low = FloatImage.blurredPlanes(l, width: width, height: height, planes: 1, sigma: LightnessBands.sigma)
            let mine = LightnessBands(lightness: l, base: low)
            base = low
            baseScale = pulled(Double(bands.base), Double(mine.base))
            detailScale = pulled(Double(bands.detail), Double(mine.detail))
        } else {
            base = nil
            baseScale = pulled(palette.stats.spreadL, Double(LightnessBands.spread(l)))
            detailScale = baseScale
        }
    }

    /// Pixel i's L* (`l`) pulled.
    @inline(__always) func callAsFunction(_ i: Int, _ l: Float) -> Float {
        if let parts {
            let g = parts.greyness[i], shift = g * (to - from) + (1 - g) * parts.colourMove
            guard let base else { return (l - from) * baseScale + from + shift }
            let b = base[i]
            return (b - from) * baseScale + from + shift + (l - b) * detailScale
        }
        guard let base else { return (l - from) * baseScale + to }
        let b = base[i]
        return (b - from) * baseScale + to + (l - b) * detailScale
    }
}
