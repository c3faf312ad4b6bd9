extension Schedule {
    /// The layer changes moved onto the beats: each boundary between two segments goes to the frame of
    /// the nearest strong onset (strength 0.5 or more) within half the shorter of the two segments, so
    /// a schedule that walks the layers switches on a beat (and a `transition` crossfade ends on one).
    /// The length is kept; every segment keeps at least one frame. Snapping again changes nothing.
    public func snappedToBeats(_ curves: MusicCurves) -> Schedule {
        guard segments.count > 1 else { return self }
        let beats = curves.onsets.filter { $0.strength >= 0.5 }.map { Int(($0.time * curves.fps).rounded()) }
        guard !beats.isEmpty else { return self }
        var starts: [Int] = []   // frame index (0-based) where each segment after the first begins
        var at = 0
        for seg in segments.dropLast() { at += seg.frames; starts.append(at) }
        var previous = 0
        for k in starts.indices {
            let before = segments[k].frames, after = segments[k + 1].frames
            let reach = min(before, after) / 2
            let next = k + 1 < starts.count ? starts[k + 1] : totalFrames
            let candidates = beats.filter { abs($0 - starts[k]) <= reach && $0 > previous && $0 < next }
            if let best = candidates.min(by: { abs($0 - starts[k]) < abs($1 - starts[k]) }) { starts[k] = best }
            previous = starts[k]
        }
        var out = self
        var begin = 0
        for k in out.segments.indices {
            let end = k < starts.count ? starts[k] : totalFrames
            out.segments[k].frames = end - begin
            begin = end
        }
        return out
    }
}
