/// `--preview`: the same schedule, lighter, to judge a long render in minutes. With half the width
/// and height (a quarter of the pixels, chosen by the command), one octave fewer (the largest, the
/// dearest) and every other dreamed frame left to the camera (cadence doubled) a frame costs about a
/// tenth to a twentieth of the full one, while the layers, their order, the transitions, the camera
/// and the steps per dreamed frame stay, so the preview shows what the full video will show.
extension Schedule {
    public func preview() -> Schedule {
        var out = self
        func lighter(_ s: inout SegmentSettings) {
            s.dream.octaves = max(1, s.dream.octaves - 1)
            s.warmOctaves = s.warmOctaves.map { max(1, $0 - 1) }
            s.cadence = min(16, s.cadence * 2)
        }
        lighter(&out.defaults)
        for i in out.segments.indices { lighter(&out.segments[i].settings) }
        return out
    }
}

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
