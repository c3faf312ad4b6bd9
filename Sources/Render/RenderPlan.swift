import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Schedule

/// Everything a render needs, checked before any work starts: a mistake in the schedule or an
/// output path is reported before the first (slow) frame, not after it.
public struct RenderPlan {
    public var start: FloatImage
    public var network: Network
    public var schedule: ResolvedSchedule
    public var outputs: Outputs
    public var seed: UInt64
    public var threads: Int
    /// The resolved settings: beside the output, in the MP4's metadata and in a checkpoint.
    public var settings: RenderSettings
    public var checkpointPath: String
    /// Where the render begins: before frame 1, or a checkpoint's state with --resume.
    public var initialState: ZoomLoop.State
    /// With --preview: how to scale the preview's time up to the full render's.
    public var preview: PreviewForecast?
    /// How a preset for another network was mapped onto this one, shown when the render starts.
    public var mappingNote: String?
    /// A line of its own when the picture was scaled up to the smallest size the networks take.
    public var sizeNote: String?
    /// Said on the first line when the size was chosen for the user: "the input's 4000x3000 fitted within 1920x1080".
    public var sizeClause: String?
    /// --profile: time each stage of every frame.
    public var profile = false
    /// --mask and --loop (nil: not asked for).
    public var mask: DreamMask?
    public var loop: SeamlessLoop?
    /// --music: what it set, said when the render starts, and the plot to write then.
    public var musicNote: String?
    public var musicPlot: (output: StillOutput, image: FloatImage)?

    /// The render `r` asks for, with a still image as its input, checked and set up in the order
    /// the mistakes are reported.
    public init(request r: RenderRequest) throws {
        let engine = try r.engine()
        self.threads = engine.threads
        self.seed = r.seed
        self.profile = r.profile

        var (schedule, mapping) = try r.locatedSchedule(overrides: r.overrides)
        mappingNote = mapping
        let music = try r.readMusic(isVideoInput: false).map { MusicPlan(path: r.music ?? "", audio: $0, fps: r.fps ?? 30) }
        var musicCurves: MusicCurves?
        if let music { (schedule, musicCurves) = music.schedule(schedule, frames: r.overrides.frames) }
        if r.preview { schedule = schedule.preview() }
        loop = try r.seamlessLoop(totalFrames: schedule.totalFrames)
        let modelName = try r.modelName(for: schedule)

        let image = try ImageDecoder().decode(path: r.input)
        let guideImage = try r.guideImage()
        let (size, fullSize, fit) = try r.frameSize(width: image.width, height: image.height)
        sizeNote = r.size == nil ? fit.note : nil
        sizeClause = r.size == nil ? fit.clause : nil
        let maskImage = try r.decodedMask(input: image, width: size.width, height: size.height)
        let (mp4, framesDir) = r.previewedOutputs()
        var encoder = try r.encoderOptions(fps: r.fps ?? 30)
        encoder.music = music?.audio
        self.outputs = try r.checkedOutputs(mp4: mp4, framesDir: framesDir, size: size, encoder: encoder, resume: r.resume)
        checkpointPath = Checkpoint.path(forOutput: outputs.primary)

        let store = ModelStore()
        self.network = try EngineChoice.network(modelName, backend: engine.backend, threads: engine.threads,
                                                precision: engine.precision, store: store)
        var resolved = try r.resolve(schedule, on: network, guide: guideImage, size: size)
        if let music, let curves = musicCurves {
            resolved = resolved.following(curves)
            musicNote = music.summary(curves: curves, frames: resolved.totalFrames)
                + (outputs.animation.map { "; the \($0.name) carries no sound" } ?? (outputs.mp4 == nil ? "; frame files carry no sound" : ""))
            musicPlot = try r.musicPlotOutput(overwrite: r.overwrite || r.resume, reads: try r.readFiles()).map {
                ($0, MusicPlot.draw(curves: curves, zoom: resolved.zoomCurve))
            }
        }
        self.schedule = resolved
        try outputs.checkAnimationMemory(frames: resolved.totalFrames, size: size)
        preview = try r.previewEstimate(overrides: r.overrides, network: network, fullSize: fullSize, preview: resolved, previewSize: size)
        let start = image.coverCropped(width: size.width, height: size.height)
        self.start = start
        mask = maskImage.map { DreamMask(mask: $0, start: start) }
        let palette = try r.colourPalette()

        settings = r.settings(size: size, model: modelName, store: store, engine: engine, outputs: outputs, fps: r.fps ?? 30,
                              schedule: schedule)
        settings.music = music?.record
        outputs.encoder.metadata["comment"] = settings.compactJSON

        if r.resume {
            initialState = try Checkpoint.load(from: checkpointPath, continuing: settings, width: start.width,
                                               height: start.height, totalFrames: self.schedule.totalFrames).state
            if let why = initialState.problem(looping: loop != nil) { throw RequestError.badCheckpoint(checkpointPath, reason: why) }
        } else {
            initialState = ZoomLoop.State(start: start, seed: seed, palette: palette)
        }
    }
}
