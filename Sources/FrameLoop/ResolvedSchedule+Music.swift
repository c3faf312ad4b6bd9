import Schedule

extension ResolvedSchedule {
    /// The schedule with the music's curves given to every segment's bindings.
    public func following(_ curves: MusicCurves) -> ResolvedSchedule {
        var out = self
        for i in out.segments.indices { out.segments[i].settings.music.curves = curves }
        return out
    }

    /// Each frame's zoom (index 0 = frame 1), as the camera will use it: what `--music-plot` draws.
    public var zoomCurve: [Double] {
        guard totalFrames > 0 else { return [] }
        return (1...totalFrames).map { segment(forFrame: $0).settings.camera(forFrame: $0).zoom }
    }
}
