import Imaging
import Net
import Schedule

/// Dreams an existing video frame by frame. Dreaming each frame on its own flickers: the network
/// paints different details on each. So each new source frame starts from a blend of itself and the
/// previous dreamed frame, moved by the source's own motion between the two frames (dense optical
/// flow), so that the dream sticks to the things it grew on. Where the motion is not trusted (an
/// occluded or uncovered area, found by the forward/backward check) the source frame is taken alone.
///
/// The schedule gives the dream (layers, octaves, steps, colour coherence, transitions) by frame
/// number; its camera moves and cadence do not apply: the video's own motion is the motion, and
/// every frame is dreamed. Frames past the schedule's end use its last frame's settings.
public struct VideoDream: Sendable {
    /// Share of the previous dreamed frame in each new frame's start (0: every frame dreamed on its own).
    public var carry: Double
    /// Move the previous dream with the source's motion before blending (false: a plain blend).
    public var followsMotion: Bool
    public var opticalFlow = OpticalFlow()

    public static let defaultCarry = 0.6

    public init(carry: Double = VideoDream.defaultCarry, followsMotion: Bool = true) {
        self.carry = carry; self.followsMotion = followsMotion
    }

    /// What carries from one frame to the next (Codable like ZoomLoop.State).
    public struct State: Sendable, Equatable, Codable {
        public var framesDone: Int
        public var rng: SeededRandom
        /// Colour coherence pulls each frame toward this palette (`--palette`'s colours as a whole
        /// distribution, ColourPalette); nil: toward the frame's own source's, so the colours follow
        /// the video's.
        public var palette: ColourPalette?
        public var previousSource: FloatImage?
        public var previousDream: FloatImage?
        /// Share of pixels whose motion was trusted in the last frame (1 for the first frame).
        public var reliableShare: Double

        public init(seed: UInt64, palette: ColourPalette? = nil) {
            framesDone = 0; rng = SeededRandom(seed: seed); self.palette = palette
            reliableShare = 1
        }
    }

    /// The starting picture for `source`: itself for the first frame or with no carry, else the blend.
    /// Also returns the share of pixels whose motion was trusted.
    public func start(for source: FloatImage, previousSource: FloatImage?, previousDream: FloatImage?) throws -> (FloatImage, Double) {
        guard carry > 0, let prevSource = previousSource, let prevDream = previousDream else { return (source, 1) }
        // run() cover-crops every source frame to the output size, so a video whose frames change size
        // arrives here at one size; a caller that does not gets an error, not an out-of-bounds read.
        try FrameSizeMismatch.check(prevSource, source)
        try FrameSizeMismatch.check(prevDream, source)
        guard followsMotion else { return (source.blended(toward: prevDream, by: Float(carry)), 1) }
        let backward = try opticalFlow.flow(from: source, to: prevSource)
        let forward = try opticalFlow.flow(from: prevSource, to: source)
        let trust = try OpticalFlow.reliability(backward: backward, forward: forward)
        let moved = try prevDream.warped(by: backward)
        var out = source
        let n = source.width * source.height, c = Float(carry)
        for ch in 0..<3 {
            for i in 0..<n {
                let t = c * trust[i]
                out.pixels[ch * n + i] += t * (moved.pixels[ch * n + i] - out.pixels[ch * n + i])
            }
        }
        return (out, Double(trust.reduce(0, +)) / Double(max(1, n)))
    }

    /// Dreams the next source frame (already at the output size) and advances the state.
    public func next(_ source: FloatImage, state: inout State, network: DreamNetwork,
                     schedule: ResolvedSchedule) throws -> FloatImage {
        let n = state.framesDone + 1
        let at = min(n, schedule.totalFrames)
        let segment = schedule.segment(forFrame: at)
        let (begin, share) = try start(for: source, previousSource: state.previousSource, previousDream: state.previousDream)
        // Warm settings (fewer steps) only when the start already holds a dream to keep alive.
        let settings = segment.settings.dream(forFrame: carry > 0 && n > 1 ? 2 : 1)
        var out = try dream(begin, network: network, objectives: schedule.objectives(forFrame: at),
                            settings: settings, rng: &state.rng)
        if segment.settings.colourCoherence > 0 {
            // The palette-keeping transfer, as a still's frames get: the mean/spread pull kept a
            // source's averages but let its colours wander into others.
            out = out.colourPulled(toward: state.palette ?? ColourPalette(of: source), strength: segment.settings.colourCoherence)
        }
        state.previousSource = source
        state.previousDream = out
        state.reliableShare = share
        state.framesDone = n
        return out
    }

    /// Dreams source frames until `nextSource` runs dry, `limit` frames are done or `shouldStop`
    /// says so after a frame; each source frame is cover-cropped to `width` x `height`. `total` is
    /// the expected frame count, for the progress (nil when the video does not say).
    public func run(first: FloatImage, nextSource: () throws -> FloatImage?, width: Int, height: Int,
                    state: inout State, network: DreamNetwork, schedule: ResolvedSchedule,
                    sink: FrameSink, total: Int?, limit: Int?,
                    progress: (FrameProgress) -> Void = { _ in }, shouldStop: () -> Bool = { false }) throws {
        let clock = ContinuousClock()
        let began = clock.now
        let firstDone = state.framesDone
        var source: FloatImage? = first
        while let s = source {
            if let limit, state.framesDone >= limit { break }
            let t0 = clock.now
            try sink.write(try next(s.coverCropped(width: width, height: height), state: &state,
                                    network: network, schedule: schedule))
            let n = state.framesDone, now = clock.now
            let mean = (now - began).inSeconds / Double(n - firstDone)
            let frames = max(total ?? n, n)
            let at = min(n, schedule.totalFrames)
            progress(FrameProgress(frame: n, total: frames, segment: schedule.segmentIndex(forFrame: at),
                                   layers: schedule.segment(forFrame: at).layerDescription,
                                   seconds: (now - t0).inSeconds, meanSeconds: mean, secondsLeft: mean * Double(frames - n)))
            if shouldStop() { break }
            source = try nextSource()
        }
    }
}
