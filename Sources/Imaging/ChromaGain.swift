/// The colourfulness half of colour coherence: one gain on the frame's own chroma (hue and L* kept;
/// each pixel's share weighted, and capped, by `ChromaLimit` at its lightness) that moves the frame's
/// mean chroma back toward the reference's, as `LightnessPull` does with L*'s mean and spread (how far:
/// `pull(coherence:)`, more than the coherence's own share). The palette transfer matches the a*b*
/// distribution but `ChromaLimit` and the gamut take back what it gives at lightnesses where the reference has no
/// such colour; on a flat logo the frames went paler (mean chroma of the last 30 frames 0.58-0.82 of
/// the first 30's, 320x180, 300 frames of the default walk). A gain changes no structure: the
/// dream's strokes stay where they are, only as colourful as the reference is on average. Over seeds
/// 0-4 on both flat logos chroma last/first went from 0.597-0.777 to 0.753-0.924, the pale mint
/// share (L* > 90, a* < -15, frames 141-150 / 291-300) from 1.05-1.37% / 0.76-2.33% to 1.15-1.86% /
/// 0.67-2.06%. The colour stage costs no more (--profile, 320x180 and 1920x1080).
struct ChromaGain {
    /// The most a frame's chroma moves in one frame: the pull never explodes on a frame with almost
    /// no colour, and colour the reference lacks fades over a few frames, not in one. Up to 1.4 so a
    /// frame that zoomed into a flat logo's white background gets its colour back in a few frames:
    /// with 1.25, 2 of 40 runs (flat logos on white and on transparency, seeds 0-19, 300 frames of the
    /// default walk at 320x180) ended below 0.75 of their first frames' mean chroma (0.683, 0.731;
    /// mean 0.882); with 1.4 none did (0.793-0.999, mean 0.908), the palette's worst window
    /// 0.692-0.716, flicker 1.28 -> 1.30, the photos within 0.01.
    static let bounds: ClosedRange<Float> = 0.8...1.4
    /// Frame 1's: no frame came before it to stay close to, so its gain may take away all the colour
    /// the first dream added beyond the reference's. With `bounds`, a grey photo's video began with
    /// the first dream's speckled tint (mean chroma 3.8 in frame 1) that faded to 1.4 over ~30 frames:
    /// chroma last/first 0.63. The upper bound is the same.
    static let firstFrameBounds: ClosedRange<Float> = 0...bounds.upperBound
    /// Frames with less mean chroma than this are left alone (no gain of a colour that is not there).
    static let least: Double = 0.05
    /// The gain pulls no frame's mean chroma below this, whatever the reference's: under half a
    /// just-noticeable difference (Delta E*ab about 2.3), no eye sees a colour there. Pulling frame 1
    /// of a grey photo all the way to grey put its colours on the corner of four a*b* histogram bins
    /// that the later frames' faint tints (mean chroma ~1.4) spread over: palette overlap 0.48.
    static let unseen: Double = 1
    /// The colour coherence from which a frame's gain aims at the reference's mean chroma itself.
    static let fullPullAt: Float = 0.3

    /// The share of the gap to the reference's mean chroma that one frame's gain aims to close at
    /// colour coherence `coherence`: all of it from the default walk's 0.3 up, proportionally less
    /// below. Why more than the coherence: the limit and the weights hold the gain back on the pale
    /// pixels, and the next dream fades the colour again, so a pull of the coherence's own share left
    /// one flat-logo run in six below 0.75 of its chroma. Flat logos on white and on transparency,
    /// seeds 0-15, 300 frames of the default walk at 320x180, chroma last/first (mean, runs below
    /// 0.75 of 32): pull 0.3 0.822, 5; 0.6 0.879, 2; 1 0.888, 0; the palette's worst window
    /// 0.700-0.732 -> 0.693-0.716 (goal 0.6), pale green (L* > 90, a* < -15) 1.42% -> 1.59% of the
    /// frame; the photos' figures within 0.03.
    static func pull(coherence: Float) -> Float { Swift.min(1, coherence / fullPullAt) }

    /// The gain of a pixel of weight 1 below its cap (`scale`).
    let gain: Float

    /// `chroma(j, g)`: the chroma of the j-th of `count` sampled pixels after the transfer and the
    /// limit when the frame takes gain g (the frame's mean is taken on them); `reference`: the reference's mean chroma
    /// (nil: a checkpoint from before it was kept, no gain). The gain is the one that brings the
    /// frame's mean chroma `strength` of the way from what it is without a gain to the reference's, or
    /// to `unseen` if that is more and the frame has more (bisection within `bounds`: the limit and
    /// the transfer's blend make the mean a curve of g).
    init(count: Int, reference: Double?, strength: Float, bounds: ClosedRange<Float> = Self.bounds,
         chroma: (Int, Float) -> Float) {
        guard let reference, count > 0 else { gain = 1; return }
        // A fixed order of sums: the same bytes whatever the number of cores.
        func mean(_ g: Float) -> Double {
            var sum: Double = 0
            for j in 0..<count { sum += Double(chroma(j, g)) }
            return sum / Double(count)
        }
        let now = mean(1)
        guard now > Self.least else { gain = 1; return }
        let goal = Swift.max(reference, Swift.min(now, Self.unseen))
        let target = now + Double(strength) * (goal - now)
        var lo = bounds.lowerBound, hi = bounds.upperBound
        if mean(hi) <= target { gain = hi; return }
        if mean(lo) >= target { gain = lo; return }
        for _ in 0..<12 {
            let mid = 0.5 * (lo + hi)
            if mean(mid) < target { lo = mid } else { hi = mid }
        }
        gain = 0.5 * (lo + hi)
    }

    /// What a pixel's a* and b* are multiplied by at gain `gain`: `weight` is its share of the gain
    /// (0...1), `cap` the most chroma a gain above 1 may give it (one already past keeps its own).
    @inline(__always) static func scale(chroma: Float, weight: Float, cap: Float, gain: Float) -> Float {
        let k = 1 + weight * (gain - 1)
        return k > 1 && chroma * k > cap ? Swift.max(1, cap / chroma) : k
    }
}
