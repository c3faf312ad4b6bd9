import ArgumentParser
import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Schedule

/// Options that only mean something when INPUT is a video.
struct VideoInputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Share 0...1 of the previous dreamed frame in each new frame's start: higher is steadier, 0 dreams every frame on its own (flickers). Default: \(VideoDream.defaultCarry).",
        valueName: "x"))
    var carry: Double?

    @Option(name: .long, help: ArgumentHelp(
        "on: the previous dream follows the video's motion (optical flow) before it is blended in; off: a plain blend. Default: on.",
        valueName: "on|off"))
    var flow: FlowChoice?

    @Flag(name: .long, help: "Keep the video's audio: its packets are copied into the MP4 as they are (no re-encoding).")
    var audio = false

    func validate() throws {
        if let carry, !(0...1).contains(carry) { throw CommandError.badCarry(carry) }
    }

    var followsMotion: Bool { (flow ?? .on) == .on }

    /// These options ask for something a still image cannot give: say so rather than ignore them.
    func refuseForImage() throws {
        if carry != nil { throw CommandError.onlyForVideo("--carry") }
        if flow != nil { throw CommandError.onlyForVideo("--flow") }
        if audio { throw CommandError.onlyForVideo("--audio") }
    }
}

/// A render whose input is a video: each source frame is dreamed in turn (VideoDream), streamed from
/// the decoder to the sinks. Checked like RenderPlan before any work starts.
struct VideoInputPlan {
    var frames: VideoFrames
    var first: FloatImage
    var network: Network
    var schedule: ResolvedSchedule
    var dreamer: VideoDream
    var outputs: Outputs
    var size: OutputSize
    var seed: UInt64
    var threads: Int
    var palette: ColourPalette?
    /// Frames to make: the video's (when known), cut by --frames.
    var limit: Int?
    var expected: Int?
    var settings: RenderSettings
    var preview: PreviewForecast?
    /// How a preset for another network was mapped onto this one, shown when the render starts.
    var mappingNote: String?
    /// Why the frames are not the video's own size when no --size was given.
    var sizeNote: String?

    init(command c: RenderCommand) throws {
        // The input first: a file that is not a readable video is the mistake to report.
        frames = try VideoReader(path: c.input).open()
        // The first frame now: a video that opens but holds nothing decodable fails before any output exists.
        guard let first = try frames.next() else { throw VideoReadError.noFrames(path: c.input) }
        self.first = first
        if c.resume { throw CommandError.videoResume }
        // The camera and the cadence move a still picture; a video brings its own motion.
        if c.shortcuts.zoom != nil { throw CommandError.notForVideo("--zoom") }
        if c.shortcuts.cadence != nil { throw CommandError.notForVideo("--cadence") }
        if c.shortcuts.sharpen != nil { throw CommandError.notForVideo("--sharpen") }
        let carry = c.video.carry ?? VideoDream.defaultCarry
        dreamer = VideoDream(carry: carry, followsMotion: c.video.followsMotion)
        let backend = c.backend
        let precision = c.engine.resolvedPrecision()
        threads = c.engine.resolvedThreads()
        seed = c.seed

        // --frames cuts the video, not the schedule: the schedule's last segment continues past its end.
        var overrides = c.shortcuts.overrides
        overrides.frames = nil
        var (schedule, mapping) = try PresetLocator().schedule(for: c.schedule, model: c.model, overrides: overrides)
        mappingNote = mapping
        if c.previewOptions.preview { schedule = schedule.preview() }
        let modelName = c.model ?? schedule.model ?? ModelStore.defaultModel
        _ = try ModelStore().entry(named: modelName)

        let info = frames.info
        if let f = c.shortcuts.frames, f < 1 { throw CommandError.badFrames(f) }
        limit = c.shortcuts.frames
        expected = [info.frameCount, limit].compactMap { $0 }.min()

        let guideImage = try c.guide.map { try ImageDecoder().decode(path: $0) }
        let fit = OutputSize.fitting(first.width, first.height, name: c.input)
        let fullSize = c.size ?? fit.size
        sizeNote = c.size == nil ? fit.note ?? fit.clause.map { "note: " + $0 } : nil
        size = c.previewOptions.preview ? try c.previewOptions.previewSize(of: fullSize) : fullSize
        var encoder = MP4Sink.Options(fps: 30, crf: c.crf, preset: c.preset, codec: c.codec)
        encoder.chroma = c.chromaChoice()
        if let fps = c.fps {
            encoder.fps = fps
        } else if let rate = info.frameRate {
            encoder.fps = rate.num; encoder.fpsDenominator = rate.den
        }
        let (mp4, framesDir) = c.previewOptions.outputs(mp4: c.output, framesDir: c.framesDir, input: c.input)
        if c.video.audio {
            guard info.audioCodec != nil else { throw VideoReadError.noAudioStream(path: c.input) }
            guard mp4 != nil || framesDir == nil else { throw CommandError.audioNeedsMP4 }
            encoder.audioSource = c.input
        }
        outputs = try Outputs(mp4: mp4, framesDir: framesDir, input: c.input, reads: try c.readFiles(), size: size,
                              overwrite: c.overwrite, encoder: encoder)
        if outputs.mp4 != nil && outputs.animation == nil && (size.width % 2 != 0 || size.height % 2 != 0) {
            throw CommandError.oddSize(width: size.width, height: size.height)
        }

        // A video of unknown length is stopped by the GIF sink itself when its frames fill the memory.
        try outputs.checkAnimationMemory(frames: expected ?? 0, size: size)
        let store = ModelStore()
        network = try Network(model: try store.load(name: modelName), backend: backend, threads: threads, precision: precision)
        var resolved = try schedule.resolved(for: network)
        if let g = guideImage { resolved = try resolved.guided(by: g, network: network) }
        for segment in resolved.segments {
            try network.checkChannels(of: segment.objective, height: size.height, width: size.width)
        }
        self.schedule = resolved
        palette = try c.palette.map { ColourPalette(of: try ImageDecoder().decode(path: $0)) }
        preview = try c.previewOptions.estimate(schedule: c.schedule, overrides: overrides, network: network, fullSize: fullSize,
                                                preview: resolved, previewSize: size, everyFrameDreamed: true)

        settings = RenderSettings(command: c, size: size, model: modelName, store: store, backend: backend, precision: precision,
                                  threads: threads, outputs: outputs, fps: Int((Double(encoder.fps) / Double(encoder.fpsDenominator)).rounded()),
                                  schedule: schedule)
        settings.videoInput = .init(carry: carry, flow: dreamer.followsMotion, audio: c.video.audio,
                                    frameRate: "\(encoder.fps)/\(encoder.fpsDenominator)")
        outputs.encoder.metadata["comment"] = settings.compactJSON
    }

    func run() throws {
        let progress = ProgressLine(total: expected ?? 0)
        let outputs = self.outputs
        try outputs.removeStaleFrames(beyond: expected)
        if let sizeNote { progress.announce(sizeNote) }
        let sinks = try outputs.open(frames: expected, settings: settings)
        let settings = self.settings
        let interrupt = Interrupt.stopping(sinks) { outcome, _ in
            FileHandle.standardError.write(Data((outcome.stopReport(settings: settings) + "\n").utf8))
        }
        defer { interrupt.uninstall() }

        let rate = Double(outputs.encoder.fps) / Double(outputs.encoder.fpsDenominator)
        if let mappingNote { progress.announce(mappingNote) }
        progress.announce("\(network.name), video \(frames.info.width)x\(frames.info.height) at \(String(format: "%.3g", rate)) fps -> "
                          + "\(size.width)x\(size.height), \(expected.map(String.init) ?? "?") frames, carry \(dreamer.carry), "
                          + "flow \(dreamer.followsMotion ? "on" : "off") -> \(outputs.summary)")
        let moves = (1...schedule.totalFrames).contains { !schedule.segment(forFrame: $0).settings.camera(forFrame: $0).isIdentity }
        let cadence = schedule.segments.contains { $0.settings.cadence > 1 }
        if moves || cadence {
            progress.announce("note: the schedule's \([moves ? "camera moves" : nil, cadence ? "cadence" : nil].compactMap { $0 }.joined(separator: " and ")) "
                              + "do not apply to a video input: the video's own motion is kept and every frame is dreamed")
        }
        var state = VideoDream.State(seed: seed, palette: palette)
        let (outcome, failure) = outputs.render(on: network, into: sinks, preview: preview, progress: progress) { net in
            var stopped = false
            try dreamer.run(first: first, nextSource: { try frames.next() }, width: size.width, height: size.height,
                            state: &state, network: net, schedule: schedule, sink: sinks, total: expected, limit: limit,
                            progress: progress.update, shouldStop: {
                                stopped = interrupt.requested || sinks.mustStop != nil
                                return stopped
                            })
            return !stopped
        }
        try outcome.conclude(failure: failure, lowOnSpace: sinks.mustStop, signal: interrupt.firstSignal, settings: settings,
                             settingsPath: outputs.settingsPath, progress: progress)
    }
}
