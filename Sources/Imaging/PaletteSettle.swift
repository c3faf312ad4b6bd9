/// Colour coherence moves a pixel's a*b* a share `strength` of the way to the colour the palette
/// transfer gives it; a pixel whose own colour is already near that colour, and that colour a colour
/// rather than grey, settles on it: `share` of the rest of the way (times `ChromaGain.pull`).
///
/// Why: at the default strength 0.3 a pixel keeps 70% of the dream's colour each frame, and the
/// chroma gain (which takes colour from mid-tones before pale texture) takes what the dream's tints
/// on a white background add to the mean from the logo's colour. Zoomed into a flat logo, its
/// colour settled a few units short of frame 1's, in the next a*b* histogram bin: the purple logo's
/// purple (chroma 102) at 92-96 in frames 10-40 with the gain at 0.91-0.95, the green logo's green
/// at a* -47 to -50 against -52. The share is decided on the pixel's colour before the gain: decided
/// after it, the gain's cut put the purple beyond reach of most of the settling (reach 20: worst window 0.569
/// against 0.659). Grey is left out: settling on grey took a greyscale photo's faint dream tints
/// away (chroma last/first 0.70 against the goal's 0.75).
enum PaletteSettle {
    /// The a*b* distance within which a pixel settles, and the chroma from which a given colour
    /// counts fully as one. Seed 0 of the default walk at 320x180, reach 20 / 15 / 12: the purple
    /// logo's worst window 0.659 / 0.646 / 0.625, the green logo's 0.721 / 0.715 / 0.697, the thin
    /// lines' sharpness last/first 0.795 / 0.810 / 0.829 (0.839 without settling; goal 0.8: their
    /// red strokes settle into flatter red). With the share decided after the gain, 20 and 30 gave the
    /// purple 0.569 and 0.544.
    static let reach: Float = 15

    /// The share (0...1) of the way from where the transfer left a pixel to `given` (the transfer's
    /// colour for it), for a pixel whose own a*b* is `own`: 1 at `given`, 0 at `reach` from it and
    /// beyond, and in proportion to `given`'s chroma below `reach`.
    @inline(__always) static func share(own: (a: Float, b: Float), given t: (a: Float, b: Float)) -> Float {
        let d = ((t.a - own.a) * (t.a - own.a) + (t.b - own.b) * (t.b - own.b)).squareRoot()
        let colour = (t.a * t.a + t.b * t.b).squareRoot()
        return Swift.max(0, 1 - d / reach) * Swift.min(1, colour / reach)
    }
}
