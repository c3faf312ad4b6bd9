import Imaging
import Net
import Schedule

/// The video: frame 1 is the start image dreamed; every next frame is the previous dreamed frame
/// moved by the camera and dreamed again, with the layer(s) and settings of the segment it falls in.
/// Each frame goes to the sink as soon as it exists (the sink is not finished here: its owner
/// decides what a failed run leaves behind).
public struct ZoomLoop: Sendable {
    /// Everything that carries from one frame to the next, and so everything a checkpoint must
    /// hold to continue a render exactly where it stopped. Codable so that a checkpoint carries
    /// every field, including ones added later, without listing them.
    public struct State: Sendable, Equatable, Codable {
        /// The last dreamed frame (the start image before frame 1). With a cadence above 1 it can be
        /// ahead of the frames given out: those wait in `queued`.
        public var canvas: FloatImage
        /// Frames given out so far.
        public var framesDone: Int
        /// One random stream runs through the whole video.
        public var rng: SeededRandom
        /// Colour coherence pulls every frame toward this palette: the start image's (taken before
        /// frame 1) or a palette image's.
        public var colourReference: ColourPalette?
        /// Frames already made but not yet given out, oldest first (a cadence group: the camera-only
        /// frames blended toward the group's dreamed last frame, which is `canvas`).
        public var queued: [FloatImage]
        /// With `--loop`: frame 1, which the last frames lead back into (nil without a loop).
        public var loopFirst: FloatImage?

        public init(canvas: FloatImage, framesDone: Int, rng: SeededRandom,
                    colourReference: ColourPalette? = nil, queued: [FloatImage] = []) {
            self.canvas = canvas; self.framesDone = framesDone; self.rng = rng
            self.colourReference = colourReference; self.queued = queued
        }

        /// Before frame 1. `start` must already have the output size (see `coverCropped`). The colour
        /// reference is `palette` if given, else the start image's.
        public init(start: FloatImage, seed: UInt64, palette: ColourPalette? = nil) {
            self.init(canvas: start, framesDone: 0, rng: SeededRandom(seed: seed),
                      colourReference: palette ?? ColourPalette(of: start))
        }
    }

    /// With `--profile`: where each frame's time goes (nil: not measured).
    public var stages: StageTimes?
    /// `--mask`: the parts that keep the start image (nil: everything dreams).
    public var mask: DreamMask?
    /// `--loop`: the last frames lead back into frame 1 (nil: no loop).
    public var loop: SeamlessLoop?

    public init(stages: StageTimes? = nil, mask: DreamMask? = nil, loop: SeamlessLoop? = nil) {
        self.stages = stages; self.mask = mask; self.loop = loop
    }

    /// `body` timed as `stage` when profiling.
    func timed<T>(_ stage: StageTimes.Stage, _ body: () throws -> T) rethrows -> T {
        guard let stages else { return try body() }
        return try stages.time(stage, body)
    }

    /// Makes frame `state.framesDone + 1` and advances the state to it.
    public func next(_ state: inout State, network: DreamNetwork, schedule: ResolvedSchedule,
                     onStep: (Int, DreamStep) -> Void = { _, _ in }) throws -> FloatImage {
        let n = state.framesDone + 1
        precondition(n <= schedule.totalFrames, "frame \(n) is past the schedule's \(schedule.totalFrames)")
        if state.queued.isEmpty {
            state.queued = try group(startingAt: n, state: &state, network: network, schedule: schedule, onStep: onStep)
        }
        let frame = state.queued.removeFirst()
        state.framesDone = n
        return frame
    }

    /// Frames n ... n+N-1, where N is the cadence of frame n's segment (cut at the video's end): the
    /// last one dreamed, from the camera's motion applied to the previous dreamed frame; the ones
    /// before it that motion, blended more and more toward the dreamed frame (moved back to their
    /// place), so the dream fades in rather than popping every N frames. Each frame is resampled
    /// once, from the composed motion.
    func group(startingAt n: Int, state: inout State, network: DreamNetwork, schedule: ResolvedSchedule,
               onStep: (Int, DreamStep) -> Void) throws -> [FloatImage] {
        if n == 1 {
            let segment = schedule.segment(forFrame: 1)
            let frame = finished(try dreamed(state.canvas, frame: 1, settings: segment.settings, state: &state,
                                             network: network, schedule: schedule, onStep: onStep),
                                 frame: 1, state: state, schedule: schedule)
            state.canvas = frame
            if loop != nil { state.loopFirst = frame }
            return [frame]
        }
        let cadence = max(1, schedule.segment(forFrame: n).settings.cadence)
        let count = min(cadence, schedule.totalFrames - n + 1)
        let base = state.canvas
        var motion = AffineTransform.identity
        var motions: [AffineTransform] = []
        var moved: [FloatImage] = []
        for i in 0..<count {
            let settings = schedule.segment(forFrame: n + i).settings
            let camera = settings.camera(forFrame: n + i)
            motion = camera.outputFromSource(width: base.width, height: base.height).after(motion)
            motions.append(motion)
            let still = camera.isIdentity && motion == .identity
            let m = still ? base : timed(.resample) { base.warped(motion.inverse, kernel: camera.kernel).softenedOutside(motion.inverse) }
            // Sharpened where the resample softened (ResampleSharpen), not again where it did not.
            moved.append(timed(.sharpen) {
                still ? m.sharpened(amount: settings.sharpen)
                      : m.sharpened(amount: settings.sharpen, resampledBy: motion.inverse, kernel: camera.kernel)
            })
        }
        let last = n + count - 1
        let dreamedLast = finished(try dreamed(moved[count - 1], frame: last, settings: schedule.segment(forFrame: last).settings,
                                               state: &state, network: network, schedule: schedule, onStep: onStep),
                                   frame: last, state: state, schedule: schedule)
        state.canvas = dreamedLast
        var out: [FloatImage] = []
        for i in 0..<(count - 1) {
            // The dreamed frame seen from frame n+i: undo the motion from n+i to the last frame.
            let back = motion.after(motions[i].inverse)
            timed(.resample) {
                let aligned = dreamedLast.warped(back, kernel: schedule.segment(forFrame: n + i).settings.camera.kernel)
                // Resampling rings and sharpening overshoots past 0...255: rolled off rather than
                // clipped when written (these frames do not carry on, so the roll-off never compounds).
                out.append(finished(moved[i].blended(toward: aligned, by: Float(i + 1) / Float(count)).softEdged(),
                                    frame: n + i, state: state, schedule: schedule))
            }
        }
        out.append(dreamedLast)
        return out
    }

    /// `frame` dreamed as video frame `index`, then pulled toward the colour reference.
    func dreamed(_ frame: FloatImage, frame index: Int, settings: SegmentSettings, state: inout State,
                 network: DreamNetwork, schedule: ResolvedSchedule, onStep: (Int, DreamStep) -> Void) throws -> FloatImage {
        var rng = state.rng
        var out = try timed(.dream) {
            try dream(frame, network: network, objectives: schedule.objectives(forFrame: index),
                      settings: settings.dream(forFrame: index), rng: &rng, onStep: { onStep(index, $0) })
        }
        state.rng = rng
        if let reference = state.colourReference, settings.colourCoherence > 0 {
            out = timed(.colour) { out.colourPulled(toward: reference, strength: settings.colourCoherence, firstFrame: index == 1) }
        }
        return out
    }

    /// Renders from `state` to the end of the schedule, each frame into the sink. Deterministic for a
    /// given state: the same start, seed and settings give the same frames. Returns the last frame.
    /// `shouldStop` is asked after each frame has reached the sink: when it says yes the loop returns
    /// early, with `state` matching exactly the frames the sink holds (so a checkpoint can be saved).
    /// `delivered` gets that state after each frame reached the sink, for a stop that cannot wait for
    /// the loop (it saves the checkpoint of the frames the sink holds while the next frame is dreamed).
    /// `onStep(frame, step)` is told before each gradient step of the frame being dreamed.
    @discardableResult
    public func run(from state: inout State, network: DreamNetwork, schedule: ResolvedSchedule,
                    sink: FrameSink, progress: (FrameProgress) -> Void = { _ in },
                    delivered: (State) -> Void = { _ in },
                    onStep: (Int, DreamStep) -> Void = { _, _ in },
                    shouldStop: () -> Bool = { false }) throws -> FloatImage {
        let total = schedule.totalFrames
        let clock = ContinuousClock()
        let began = clock.now
        let first = state.framesDone
        while state.framesDone < total {
            let t0 = clock.now
            let frame = try next(&state, network: network, schedule: schedule, onStep: onStep)
            try sink.write(frame)
            delivered(state)
            let n = state.framesDone
            let now = clock.now
            let mean = (now - began).inSeconds / Double(n - first)
            let segment = schedule.segment(forFrame: n)
            progress(FrameProgress(frame: n, total: total, segment: schedule.segmentIndex(forFrame: n),
                                   layers: segment.layerDescription, seconds: (now - t0).inSeconds,
                                   meanSeconds: mean, secondsLeft: mean * Double(total - n)))
            if shouldStop() { break }
        }
        return state.lastFrame
    }

    /// From the start image: frame 1 is `start` dreamed.
    @discardableResult
    public func run(start: FloatImage, network: DreamNetwork, schedule: ResolvedSchedule, seed: UInt64,
                    palette: ColourPalette? = nil,
                    sink: FrameSink, progress: (FrameProgress) -> Void = { _ in }) throws -> FloatImage {
        var state = State(start: start, seed: seed, palette: palette)
        return try run(from: &state, network: network, schedule: schedule, sink: sink, progress: progress)
    }
}

extension ZoomLoop.State {
    /// The last frame given out (the canvas unless frames of a cadence group are still queued,
    /// which cannot happen at the end of a video).
    public var lastFrame: FloatImage { canvas }
}

extension FloatImage {
    /// (1 - t) * self + t * other.
    public func blended(toward other: FloatImage, by t: Float) -> FloatImage {
        precondition(other.width == width && other.height == height)
        var out = self
        let count = pixels.count
        out.pixels.withUnsafeMutableBufferPointer { p in
            other.pixels.withUnsafeBufferPointer { o in
                let p = p.baseAddress!, o = o.baseAddress!
                Bands.forEach(count) { range in
                    for i in range { p[i] += t * (o[i] - p[i]) }
                }
            }
        }
        return out
    }
}
