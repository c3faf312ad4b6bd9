import Net

/// The video: frame 1 is the start image dreamed; every next frame is the previous dreamed frame
/// moved by the camera and dreamed again, with the layer(s) and settings of the segment it falls in.
/// Each frame goes to the sink as soon as it exists (the sink is not finished here: its owner
/// decides what a failed run leaves behind).
public struct FrameLoop: Sendable {
    /// Everything that carries from one frame to the next, and so everything a checkpoint must
    /// hold to continue a render exactly where it stopped. Codable so that a checkpoint carries
    /// every field, including ones added later, without listing them.
    public struct State: Sendable, Equatable, Codable {
        /// The last finished frame (the start image before frame 1).
        public var canvas: FloatImage
        /// Frames finished so far.
        public var framesDone: Int
        /// One random stream runs through the whole video.
        public var rng: SeededRandom

        public init(canvas: FloatImage, framesDone: Int, rng: SeededRandom) {
            self.canvas = canvas; self.framesDone = framesDone; self.rng = rng
        }

        /// Before frame 1. `start` must already have the output size (see `coverCropped`).
        public init(start: FloatImage, seed: UInt64) {
            self.init(canvas: start, framesDone: 0, rng: SeededRandom(seed: seed))
        }
    }

    public init() {}

    /// Makes frame `state.framesDone + 1` and advances the state to it.
    public func next(_ state: inout State, network: DreamNetwork, schedule: ResolvedSchedule) throws -> FloatImage {
        let n = state.framesDone + 1
        precondition(n <= schedule.totalFrames, "frame \(n) is past the schedule's \(schedule.totalFrames)")
        let segment = schedule.segment(forFrame: n)
        var frame = state.canvas
        if n > 1 { frame = segment.settings.camera.next(frame) }
        frame = try dream(frame, network: network, objective: segment.objective,
                          settings: segment.settings.dream, rng: &state.rng)
        state.canvas = frame
        state.framesDone = n
        return frame
    }

    /// Renders from `state` to the end of the schedule, each frame into the sink. Deterministic for a
    /// given state: the same start, seed and settings give the same frames. Returns the last frame.
    /// `shouldStop` is asked after each frame has reached the sink: when it says yes the loop returns
    /// early, with `state` matching exactly the frames the sink holds (so a checkpoint can be saved).
    @discardableResult
    public func run(from state: inout State, network: DreamNetwork, schedule: ResolvedSchedule,
                    sink: FrameSink, progress: (FrameProgress) -> Void = { _ in },
                    shouldStop: () -> Bool = { false }) throws -> FloatImage {
        let total = schedule.totalFrames
        let clock = ContinuousClock()
        let began = clock.now
        let first = state.framesDone
        while state.framesDone < total {
            let t0 = clock.now
            let frame = try next(&state, network: network, schedule: schedule)
            try sink.write(frame)
            let n = state.framesDone
            let now = clock.now
            let mean = seconds(now - began) / Double(n - first)
            let segment = schedule.segment(forFrame: n)
            progress(FrameProgress(frame: n, total: total, segment: schedule.segmentIndex(forFrame: n),
                                   layers: segment.layerDescription, seconds: seconds(now - t0),
                                   meanSeconds: mean, secondsLeft: mean * Double(total - n)))
            if shouldStop() { break }
        }
        return state.canvas
    }

    /// From the start image: frame 1 is `start` dreamed.
    @discardableResult
    public func run(start: FloatImage, network: DreamNetwork, schedule: ResolvedSchedule, seed: UInt64,
                    sink: FrameSink, progress: (FrameProgress) -> Void = { _ in }) throws -> FloatImage {
        var state = State(start: start, seed: seed)
        return try run(from: &state, network: network, schedule: schedule, sink: sink, progress: progress)
    }

    private func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
