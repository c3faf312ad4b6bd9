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
/// frame's colourful part toward the reference's colours' mean lightness; when that whole-mean move
/// lifts the frame, a grey pixel lighter than its base takes less of it (`liftReach`).
struct LightnessPull {
    /// When the whole mean's move lifts, a grey pixel's share of it falls from all to none as the
    /// pixel stands 0 to `liftReach` L* above its base: there the lift only makes a light stroke
    /// lighter against what is around it. Why: zoomed into a flat logo on white, the frame's mean
    /// falls below the start image's as the white leaves the view, and the lift went, frame after
    /// frame, to the dream's thin grey strokes on the logo's colour until they were white (the orange
    /// button's frames 20-60: a white crackle, mean gradient 19-26 against 9 in frame 1), and the
    /// sharpness last/first fell to 0.744 / 0.779 / 0.824 over seeds 0-2 (goal 0.8); with reach 3,
    /// 0.968 / 0.889 / 0.845. Flat grey areas (L* at its base) and darker strokes take all of it.
    /// Reach 5 gave the orange 0.993 / 0.949 / 0.799, reach 2 0.907 / 0.899 / 0.833 with the teal
    /// logo's drift at +10.5. A darkening move is left whole: taken from dark strokes under their base
    /// the same way (reach 3), the teal logo on black drifted +8.9 L* (goal 8). Giving the untaken
    /// lift to the pixels that take it (at most 1.25x or 1.5x) held the flag's and the pink rings'
    /// drift closer to 0 but took the orange back to 0.785-0.817. README (looks), 320x180, default walk.
    static let liftReach: Float = 3

    private let from: Float, to: Float, baseScale: Float, detailScale: Float
    /// The base of each pixel's L* (nil: no bands, the pixel's own L* is its base).
    private let base: [Float]?
    /// Each pixel's grey weight (`LightnessByChroma.greyness`; its grey share moves as the whole
    /// mean, `to - from`) and the move of the colourful share (nil: all of it moves as the whole mean).
    private let parts: (greyness: [Float], colourMove: Float)?

    private let liftReach: Float

    /// `lightness` and `chroma`: the frame's L* and chroma, width x height values each; `liftReach`
    /// other than `Self.liftReach` for tests only.
    init(lightness: ArraySlice<Float>, chroma: [Float], width: Int, height: Int, toward palette: ColourPalette,
         strength s: Float, liftReach: Float = Self.liftReach) {
        self.liftReach = liftReach
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
            let g = parts.greyness[i], move = to - from
            guard let base else { return (l - from) * baseScale + from + g * move + (1 - g) * parts.colourMove }
            let b = base[i]
            let taken = move > 0 ? Swift.min(1, Swift.max(0, 1 - (l - b) / liftReach)) : 1
            let shift = g * taken * move + (1 - g) * parts.colourMove
            return (b - from) * baseScale + from + shift + (l - b) * detailScale
        }
        guard let base else { return (l - from) * baseScale + to }
        let b = base[i]
        return (b - from) * baseScale + to + (l - b) * detailScale
    }
}
