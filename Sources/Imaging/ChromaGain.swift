/// The colourfulness half of colour coherence: one gain on every pixel's chroma (hue and L* kept)
/// that moves the frame's mean chroma a fraction `strength` of the way back to the reference's, as
/// `LightnessPull` does with L*'s mean and spread. The palette transfer matches the a*b* distribution
/// but `ChromaLimit` and the gamut take back what it gives at lightnesses where the reference has no
/// such colour; on a flat logo the frames went paler (mean chroma of the last 30 frames 0.58-0.82 of
/// the first 30's, 320x180, 300 frames of the default walk). A gain changes no structure: the
/// dream's strokes stay where they are, only as colourful as the reference is on average.
struct ChromaGain {
    /// The most a frame's chroma moves in one frame, either way: the pull never explodes on a frame
    /// with almost no colour, and a grey reference fades the dream's colour over a few frames.
    static let bounds: ClosedRange<Float> = 0.8...1.25
    /// Frames with less mean chroma than this are left alone (no gain of a colour that is not there).
    static let least: Double = 0.05

    /// The gain of a pixel of weight 1; a pixel of weight w takes 1 + w * (gain - 1).
    let gain: Float

    /// `chroma`: each pixel's chroma after the transfer and the limit; `weight`: each pixel's share of
    /// the gain, 0...1 (nil: all 1); `reference`: the reference's mean chroma (nil: a checkpoint from
    /// before it was kept, no gain). The gain is the one that brings the weighted frame's mean chroma
    /// exactly to the target, within `bounds`.
    init(chroma: UnsafeBufferPointer<Float>, weight: UnsafeBufferPointer<Float>?, reference: Double?, strength: Float) {
        guard let reference, !chroma.isEmpty else { gain = 1; return }
        // A fixed order of sums: the same bytes whatever the number of cores.
        var sum: Double = 0, weighted: Double = 0
        for i in chroma.indices {
            let c = Double(chroma[i])
            sum += c; weighted += c * Double(weight?[i] ?? 1)
        }
        let n = Double(chroma.count), mean = sum / n
        guard mean > Self.least, weighted > 0 else { gain = 1; return }
        let target = mean + Double(strength) * (reference - mean)
        // sum(c * (1 + w * (g - 1))) = n * target
        let g = 1 + (target - mean) * n / weighted
        gain = Swift.min(Self.bounds.upperBound, Swift.max(Self.bounds.lowerBound, Float(g)))
    }

    @inline(__always) func callAsFunction(weight: Float) -> Float { 1 + weight * (gain - 1) }
}
