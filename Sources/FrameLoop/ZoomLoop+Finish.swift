import Imaging
import Schedule
extension ZoomLoop {
    /// The last touch on frame `n` before it is given out (and, for a dreamed frame, carried on):
    /// the mask puts back the kept parts of the start image, then a loop leads the frame toward frame 1.
    /// In that order, so that by the last frame the loop wins everywhere and the wrap has no jump.
    func finished(_ frame: FloatImage, frame n: Int, state: State, schedule: ResolvedSchedule) -> FloatImage {
        var out = frame
        if let mask {
            let settings = schedule.segment(forFrame: n).settings
            let strength = settings.maskStrength(forFrame: n)
            if strength > 0 {
                out = timed(.resample) {
                    mask.applied(to: out, motion: schedule.motion(toFrame: n, width: frame.width, height: frame.height),
                                 strength: strength, kernel: settings.camera.kernel)
                }
            }
        }
        if let loop, let first = state.loopFirst, n > 1 {
            out = timed(.resample) { loop.led(out, frame: n, first: first, schedule: schedule) }
        }
        return out
    }
}
