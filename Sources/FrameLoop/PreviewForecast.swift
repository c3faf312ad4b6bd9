import Schedule

extension ResolvedSchedule {
    /// The dreaming work of a render at this size, in pixel-steps (steps times the pixels of each
    /// octave, over the frames that are dreamed): what a frame costs scales with it, so the ratio of
    /// two renders' work predicts the ratio of their times.
    public func dreamWork(width: Int, height: Int, everyFrameDreamed: Bool = false) -> Double {
        var total = 0.0
        var frame = 1
        while frame <= totalFrames {
            let s = segment(forFrame: frame).settings
            let d = s.dream(forFrame: frame)
            let pixels = d.octaveSizes(width: width, height: height).reduce(0.0) { $0 + Double($1.width * $1.height) }
            total += Double(d.steps) * pixels
            frame += frame == 1 || everyFrameDreamed ? 1 : max(1, s.cadence)
        }
        return total
    }
}

/// Forecasts the full render's time from the preview's: the time spent in the network scales with
/// the dreaming work (steps times octave pixels over the dreamed frames), the rest (resampling every
/// frame, colour, encoding) with the pixels of every frame. Measured on presets/layers.json, dog.jpg,
/// 640x360: the preview took 32 s (20 s in the network) and forecast 2m47s for a render of 2m26s
/// (larger pictures use the CPU a little better, so the forecast errs long).
public struct PreviewForecast: Sendable {
    public var fullWork: Double
    public var previewWork: Double
    public var fullWidth: Int, fullHeight: Int
    public var previewWidth: Int, previewHeight: Int

    /// `everyFrameDreamed`: a video input, where the cadence does not apply.
    public init(full: ResolvedSchedule, fullWidth: Int, fullHeight: Int, preview: ResolvedSchedule,
                previewWidth: Int, previewHeight: Int, everyFrameDreamed: Bool = false) {
        fullWork = full.dreamWork(width: fullWidth, height: fullHeight, everyFrameDreamed: everyFrameDreamed)
        previewWork = preview.dreamWork(width: previewWidth, height: previewHeight, everyFrameDreamed: everyFrameDreamed)
        self.fullWidth = fullWidth; self.fullHeight = fullHeight
        self.previewWidth = previewWidth; self.previewHeight = previewHeight
    }

    public var workRatio: Double { fullWork / max(1, previewWork) }
    public var pixelRatio: Double { Double(fullWidth * fullHeight) / Double(max(1, previewWidth * previewHeight)) }

    /// The full render's seconds, from the preview's `total` seconds of which `network` were spent in the network.
    public func fullSeconds(total: Double, network: Double) -> Double {
        let n = min(total, network)
        return n * workRatio + (total - n) * pixelRatio
    }
}
