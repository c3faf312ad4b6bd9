import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Schedule

/// A render whose input is a video: each source frame is dreamed in turn (VideoDream), streamed from
/// the decoder to the sinks. Checked like RenderPlan before any work starts.
public struct VideoInputPlan {
    public var frames: VideoFrames
    public var first: FloatImage
    public var network: Network
    public var schedule: ResolvedSchedule
    public var dreamer: VideoDream
    public var outputs: Outputs
    public var size: OutputSize
    public var seed: UInt64
    public var threads: Int
    public var palette: ColourPalette?
    /// Frames to make: the video's (when known), cut by --frames.
    public var limit: Int?
    public var expected: Int?
    public var settings: RenderSettings
    public var preview: PreviewForecast?
    /// How a preset for another network was mapped onto this one, shown when the render starts.
    public var mappingNote: String?
    /// Why the frames are not the video's own size when no --size was given.
    public var sizeNote: String?

    /// The render `r` asks for, with a video as its input, checked and set up in the order the
    /// mistakes are reported.
    public init(request r: RenderRequest) throws {
        // The input first: a file that is not a readable video is the mistake to report.
        frames = try VideoReader(path: r.input).open()
        // The first frame now: a video that opens but holds nothing decodable fails before any output exists.
        guard let first = try frames.next() else { throw VideoReadError.noFrames(path: r.input) }
        self.first = first
        if r.resume { throw RequestError.videoResume }
        // The camera and the cadence move a still picture; a video brings its own motion.
        if r.overrides.zoom != nil { throw RequestError.notForVideo("--zoom") }
        if r.overrides.cadence != nil { throw RequestError.notForVideo("--cadence") }
        if r.overrides.sharpen != nil { throw RequestError.notForVideo("--sharpen") }
        let carry = r.carry ?? VideoDream.defaultCarry
        guard (0...1).contains(carry) else { throw RequestError.badCarry(carry) }
        dreamer = VideoDream(carry: carry, followsMotion: r.followsMotion)
        let engine = try r.engine()
        threads = engine.threads
        seed = r.seed

        // --frames cuts the video, not the schedule: the schedule's last segment continues past its end.
        var overrides = r.overrides
        overrides.frames = nil
        var (schedule, mapping) = try r.locatedSchedule(overrides: overrides)
        mappingNote = mapping
        if r.preview { schedule = schedule.preview() }
        let modelName = try r.modelName(for: schedule)

        let info = frames.info
        if let f = r.overrides.frames, f < 1 { throw RequestError.badFrames(f) }
        limit = r.overrides.frames
        expected = [info.frameCount, limit].compactMap { $0 }.min()

        let guideImage = try r.guideImage()
        let (size, fullSize, fit) = try r.frameSize(width: first.width, height: first.height)
        sizeNote = r.size == nil ? fit.note ?? fit.clause.map { "note: " + $0 } : nil
        self.size = size
        var encoder = try r.encoderOptions(fps: 30)
        if let fps = r.fps {
            encoder.fps = fps
        } else if let rate = info.frameRate {
            encoder.fps = rate.num; encoder.fpsDenominator = rate.den
        }
        let (mp4, framesDir) = r.previewedOutputs()
        if r.audio {
            guard info.audioCodec != nil else { throw RequestError.noAudioToKeep(r.input) }
            guard mp4 != nil || framesDir == nil else { throw RequestError.audioNeedsMP4 }
            encoder.audioSource = r.input
        }
        outputs = try r.checkedOutputs(mp4: mp4, framesDir: framesDir, size: size, encoder: encoder)

        // A video of unknown length is stopped by the GIF sink itself when its frames fill the memory.
        try outputs.checkAnimationMemory(frames: expected ?? 0, size: size)
        let store = ModelStore()
        network = try EngineChoice.network(modelName, backend: engine.backend, threads: engine.threads, precision: engine.precision,
                                           store: store)
        let resolved = try r.resolve(schedule, on: network, guide: guideImage, size: size)
        self.schedule = resolved
        palette = try r.colourPalette()
        preview = try r.previewEstimate(overrides: overrides, network: network, fullSize: fullSize,
                                        preview: resolved, previewSize: size, everyFrameDreamed: true)

        settings = r.settings(size: size, model: modelName, store: store, engine: engine, outputs: outputs,
                              fps: Int((Double(encoder.fps) / Double(encoder.fpsDenominator)).rounded()), schedule: schedule)
        settings.videoInput = .init(carry: carry, flow: dreamer.followsMotion, audio: r.audio,
                                    frameRate: "\(encoder.fps)/\(encoder.fpsDenominator)")
        outputs.encoder.metadata["comment"] = settings.compactJSON
    }
}
