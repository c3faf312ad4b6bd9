/// `--preview`: the same schedule, lighter, to judge a long render in minutes. The command halves
/// the width and the height (a quarter of the pixels); here one octave goes (the largest, the
/// dearest). The layers, their order, the transitions, the camera, the cadence and the steps stay,
/// so the preview shows what the full video will show, a little softer and with the network's
/// features twice as large against the frame (they have a fixed size in pixels). Measured on
/// presets/layers.json, dog.jpg, 640x360, 2 threads: the preview's network work is 1/6 of the full
/// render's; 32 s against 146 s. Doubling the cadence as well made it 22 s but visibly blurrier
/// than the full render (5 camera-only frames between dreams), so the cadence is kept.
extension Schedule {
    public func preview() -> Schedule {
        var out = self
        func lighter(_ s: inout SegmentSettings) {
            s.dream.octaves = max(1, s.dream.octaves - 1)
            s.warmOctaves = s.warmOctaves.map { max(1, $0 - 1) }
        }
        lighter(&out.defaults)
        for i in out.segments.indices { lighter(&out.segments[i].settings) }
        return out
    }
}
