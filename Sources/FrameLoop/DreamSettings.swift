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

    public init(octaves: Int = 3, octaveScale: Double = 1.4, steps: Int = 10, stepSize: Double = 1.5,
                jitter: Int = 32, minimumOctaveSide: Int = 75) {
        self.octaves = octaves; self.octaveScale = octaveScale; self.steps = steps
        self.stepSize = stepSize; self.jitter = jitter; self.minimumOctaveSide = minimumOctaveSide
    }

    /// Sizes from the smallest octave to the full size.
    public func octaveSizes(width: Int, height: Int) -> [(width: Int, height: Int)] {
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
