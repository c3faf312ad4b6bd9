/// The classic octave recipe's knobs, for one frame.
public struct DreamSettings: Sendable, Equatable {
    /// Number of scales the picture is dreamed at, smallest first.
    public var octaves: Int
    /// Size ratio between neighbouring octaves.
    public var octaveScale: Double
    /// Gradient steps per octave.
    public var steps: Int
    /// Step length in units of the gradient's mean absolute value (pixels move by about this much).
    public var stepSize: Double
    /// Largest random roll, in pixels, before each step.
    public var jitter: Int
    /// Octaves whose shorter side would fall below this are skipped: tiny inputs fail in deep layers
    /// and dream nothing useful. 75 is the smallest input Inception-v3 carries through mixed_10.
    public var minimumOctaveSide: Int
    /// Laplacian-pyramid normalisation of the gradient (the TensorFlow notebook's lap_normalize): the
    /// gradient is split into this many frequency bands, each scaled to unit spread, so coarse
    /// structure grows as fast as fine texture. 0: off (the plain mean-magnitude normalisation).
    public var lapLevels: Int = 0
    /// The pattern scale: the shorter side, in pixels, at which the network sees the frame. A larger
    /// frame is dreamed at this working size (its octaves below it) and what the dream added is
    /// carried up to the frame's size like one more octave, so a 1920x1080 render paints patterns
    /// as large against the frame as its 640x360 preview does, over the full-size picture. 0 (or
    /// a frame no larger): the network sees the frame at its own size. 360 by default: mixed_4 on
    /// dog.jpg at 1920x1080 then paints the eyes of its 640x360 render, as large against the frame,
    /// over a sharper picture; at 540 they came out 2/3 that size, and at the frame's own size (0) so
    /// small that the whole frame looks barely dreamed (docs/dream-scale.jpg), for 9x the network's
    /// work of 360.
    public var dreamScale: Int = DreamSettings.defaultDreamScale
    public static let defaultDreamScale = 360

    public init(octaves: Int = 3, octaveScale: Double = 1.4, steps: Int = 10, stepSize: Double = 1.5,
                jitter: Int = 32, minimumOctaveSide: Int = 75) {
        self.octaves = octaves; self.octaveScale = octaveScale; self.steps = steps
        self.stepSize = stepSize; self.jitter = jitter; self.minimumOctaveSide = minimumOctaveSide
    }

    /// The size the network dreams at for a frame of width x height: the frame's own, or scaled down
    /// so that its shorter side is `dreamScale`.
    public func workingSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let short = min(width, height)
        guard dreamScale > 0, short > dreamScale else { return (width, height) }
        let f = Double(dreamScale) / Double(short)
        return (max(1, Int((Double(width) * f).rounded())), max(1, Int((Double(height) * f).rounded())))
    }

    /// Sizes from the smallest octave to the working size (`workingSize`, the full size unless the
    /// dream scale is below the frame's).
    public func octaveSizes(width fullWidth: Int, height fullHeight: Int) -> [(width: Int, height: Int)] {
        let (width, height) = workingSize(width: fullWidth, height: fullHeight)
        var sizes: [(width: Int, height: Int)] = [(width, height)]
        var factor = 1.0
        for _ in 1..<max(1, octaves) {
            factor *= octaveScale
            let w = Int((Double(width) / factor).rounded()), h = Int((Double(height) / factor).rounded())
            if min(w, h) < minimumOctaveSide { break }
            sizes.append((w, h))
        }
        return sizes.reversed()
    }
}
