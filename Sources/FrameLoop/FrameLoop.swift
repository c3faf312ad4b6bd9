import Net

/// The video: frame 1 is the start image dreamed; every next frame is the previous dreamed frame
/// moved by the camera and dreamed again, with the layer(s) and settings of the segment it falls in.
/// Each frame goes to the sink as soon as it exists (the sink is not finished here: its owner
/// decides what a failed run leaves behind).
public struct FrameLoop: Sendable {
    public init() {}

    /// Returns the last frame. `start` must already have the output size (see `coverCropped`).
    /// Deterministic for a given seed: one random stream runs through the whole video.
    @discardableResult
    public func run(start: FloatImage, network: DreamNetwork, schedule: ResolvedSchedule, seed: UInt64,
                    sink: FrameSink, progress: (FrameProgress) -> Void = { _ in }) throws -> FloatImage {
        let total = schedule.totalFrames
        guard total > 0 else { return start }
        var rng = SeededRandom(seed: seed)
        let clock = ContinuousClock()
        let began = clock.now
        var frame = start
        var segmentIndex = 0
        for n in 1...total {
            while n > schedule.segments[segmentIndex].lastFrame { segmentIndex += 1 }
            let segment = schedule.segments[segmentIndex]
            let t0 = clock.now
            if n > 1 { frame = segment.settings.camera.next(frame) }
            frame = try dream(frame, network: network, objective: segment.objective,
                              settings: segment.settings.dream, rng: &rng)
            try sink.write(frame)
            let now = clock.now
            let mean = seconds(now - began) / Double(n)
            progress(FrameProgress(frame: n, total: total, segment: segmentIndex, layers: segment.layerDescription,
                                   seconds: seconds(now - t0), meanSeconds: mean, secondsLeft: mean * Double(total - n)))
        }
        return frame
    }

    private func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
