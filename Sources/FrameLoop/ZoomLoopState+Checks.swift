import Imaging
import Schedule

/// What a state read back from a file (a checkpoint) must satisfy before a render continues from it.
/// The images' sizes are checked while they are decoded (`FloatImage.expectedSize`); what is left are
/// the counts, checked here against the render's own schedule.
extension ZoomLoop.State {
    /// A cadence group holds at most `cadence` frames, the last of them the canvas: the rest wait in `queued`.
    public static let mostQueued = Int(SettingKey.cadence.range.upperBound) - 1

    /// Why this state cannot continue a render of `totalFrames` frames of `width` x `height`, or nil
    /// if it can. Only comparisons: nothing here allocates or can overflow.
    public func problem(continuing totalFrames: Int, width: Int, height: Int) -> String? {
        if canvas.width != width || canvas.height != height {
            return "holds a \(canvas.width)x\(canvas.height) canvas where this render's frames are \(width)x\(height)"
        }
        if let bad = queued.first(where: { $0.width != width || $0.height != height }) {
            return "holds a queued \(bad.width)x\(bad.height) frame where this render's frames are \(width)x\(height)"
        }
        if let first = loopFirst, first.width != width || first.height != height {
            return "holds a \(first.width)x\(first.height) frame 1 for --loop where this render's frames are \(width)x\(height)"
        }
        guard framesDone >= 0, framesDone < totalFrames else {
            return "says \(framesDone) frames are done, but this render has \(totalFrames)"
        }
        guard queued.count <= Self.mostQueued, queued.count <= totalFrames - framesDone else {
            return "holds \(queued.count) queued frames, more than a cadence group after frame \(framesDone) of \(totalFrames) can"
        }
        if rng.isDegenerate { return "holds a random state of all zeros, which no seed makes" }
        return nil
    }

    /// Why this state (read from a checkpoint) cannot continue a render that loops (`looping`) or does
    /// not, or nil: after frame 1 a loop needs frame 1 to lead back into, and a render without one holds none.
    public func problem(looping: Bool) -> String? {
        if looping && framesDone > 0 && loopFirst == nil { return "holds no frame 1 for --loop to lead back into" }
        if !looping && loopFirst != nil { return "holds a frame 1 for --loop, which this render does not give" }
        return nil
    }
}
