import ArgumentParser
import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Schedule

/// Everything a render needs, checked before any work starts: a mistake in the schedule or an
/// output path is reported before the first (slow) frame, not after it.
struct RenderPlan {
    var start: FloatImage
    var network: Network
    var schedule: ResolvedSchedule
    var outputs: Outputs
    var seed: UInt64
    var threads: Int
    /// The resolved settings: beside the output, in the MP4's metadata and in a checkpoint.
    var settings: RenderSettings
    var checkpointPath: String
    /// Where the render begins: before frame 1, or a checkpoint's state with --resume.
    var initialState: ZoomLoop.State
    /// With --preview: how to scale the preview's time up to the full render's.
    var preview: PreviewForecast?
    /// How a preset for another network was mapped onto this one, shown when the render starts.
    var mappingNote: String?
    /// A line of its own when the picture was scaled up to the smallest size the networks take.
    var sizeNote: String?
    /// Said on the first line when the size was chosen for the user: "the input's 4000x3000 fitted within 1920x1080".
    var sizeClause: String?
    /// --profile: time each stage of every frame.
    var profile = false
    /// --mask and --loop (nil: not asked for).
    var mask: DreamMask?
    var loop: SeamlessLoop?
    /// --music: what it set, said when the render starts, and the plot to write then.
    var musicNote: String?
    var musicPlot: (output: StillOutput, image: FloatImage)?

    init(command c: RenderCommand) throws {
        let backend = c.backend
        let precision = c.engine.resolvedPrecision()
        let threads = c.engine.resolvedThreads()
        self.threads = threads
        self.seed = c.seed
        self.profile = c.profile

        var (schedule, mapping) = try PresetLocator().schedule(for: c.schedule, model: c.model, overrides: c.shortcuts.overrides)
        mappingNote = mapping
        let music = try c.musicOptions.read(isVideoInput: false).map { MusicPlan(path: c.musicOptions.music ?? "", audio: $0, fps: c.fps ?? 30) }
        var musicCurves: MusicCurves?
        if let music { (schedule, musicCurves) = music.schedule(schedule, frames: c.shortcuts.frames) }
        if c.previewOptions.preview { schedule = schedule.preview() }
        loop = try c.maskLoop.seamlessLoop(totalFrames: schedule.totalFrames)
        let modelName = c.model ?? schedule.model ?? ModelStore.defaultModel
        _ = try ModelStore().entry(named: modelName)

        let image = try ImageDecoder().decode(path: c.input)
        let guideImage = try c.guide.map { try ImageDecoder().decode(path: $0) }
        let fit = OutputSize.fitting(image.width, image.height, name: c.input)
        let fullSize = c.size ?? fit.size
        sizeNote = c.size == nil ? fit.note : nil
        sizeClause = c.size == nil ? fit.clause : nil
        let size = c.previewOptions.preview ? try c.previewOptions.previewSize(of: fullSize) : fullSize
        let maskImage = try c.maskLoop.decodedMask(input: image, width: size.width, height: size.height)
        let (mp4, framesDir) = c.previewOptions.outputs(mp4: c.output, framesDir: c.framesDir, input: c.input)
        var encoder = MP4Sink.Options(fps: c.fps ?? 30, crf: c.crf, preset: c.preset, codec: c.codec)
        encoder.chroma = c.chromaChoice()
        encoder.music = music?.audio
        self.outputs = try Outputs(mp4: mp4, framesDir: framesDir, input: c.input, reads: try c.readFiles(), size: size,
                                   overwrite: c.overwrite, encoder: encoder, resume: c.resume)
        if outputs.mp4 != nil && outputs.animation == nil && (size.width % 2 != 0 || size.height % 2 != 0) {
            throw CommandError.oddSize(width: size.width, height: size.height)
        }
        checkpointPath = Checkpoint.path(forOutput: outputs.primary)

        let store = ModelStore()
        let model = try store.load(name: modelName)
        self.network = try Network(model: model, backend: backend, threads: threads, precision: precision)
        var resolved = try schedule.resolved(for: network)
        if let g = guideImage { resolved = try resolved.guided(by: g, network: network) }
        for segment in resolved.segments {
            try network.checkChannels(of: segment.objective, height: size.height, width: size.width)
        }
        if let music, let curves = musicCurves {
            resolved = resolved.following(curves)
            musicNote = music.summary(curves: curves, frames: resolved.totalFrames)
                + (outputs.animation.map { "; the \($0.name) carries no sound" } ?? (outputs.mp4 == nil ? "; frame files carry no sound" : ""))
            musicPlot = try c.musicOptions.plotOutput(overwrite: c.overwrite || c.resume, reads: try c.readFiles()).map {
                ($0, MusicPlot.draw(curves: curves, zoom: resolved.zoomCurve))
            }
        }
        self.schedule = resolved
        try outputs.checkAnimationMemory(frames: resolved.totalFrames, size: size)
        preview = try c.previewOptions.estimate(schedule: c.schedule, overrides: c.shortcuts.overrides, network: network,
                                                fullSize: fullSize, preview: resolved, previewSize: size)
        let start = image.coverCropped(width: size.width, height: size.height)
        self.start = start
        mask = maskImage.map { DreamMask(mask: $0, start: start) }
        let palette = try c.palette.map { ColourPalette(of: try ImageDecoder().decode(path: $0)) }

        settings = RenderSettings(command: c, size: size, model: modelName, store: store, backend: backend,
                                  precision: precision, threads: threads, outputs: outputs, fps: c.fps ?? 30, schedule: schedule)
        settings.music = music?.record
        outputs.encoder.metadata["comment"] = settings.compactJSON

        if c.resume {
            initialState = try Checkpoint.load(from: checkpointPath, continuing: settings, width: start.width,
                                               height: start.height, totalFrames: self.schedule.totalFrames).state
            if let why = initialState.problem(looping: loop != nil) { throw CommandError.badCheckpoint(checkpointPath, reason: why) }
        } else {
            initialState = ZoomLoop.State(start: start, seed: seed, palette: palette)
        }
    }

    func run() throws {
        let total = schedule.totalFrames
        let progress = ProgressLine(total: total)
        var state = initialState
        // Starting again (--overwrite): an older checkpoint would no longer match the frame files.
        if state.framesDone == 0 {
            unlink(checkpointPath)
            try outputs.removeStaleFrames(beyond: total)
        }
        let queued = (schedule.segments.map { $0.settings.cadence }.max() ?? 1) - 1
        // A GIF or WebP is written whole at the end: no checkpoint can continue it.
        let sinks = try outputs.open(frames: total, settings: settings,
                                     checkpoint: outputs.animation != nil ? nil : (path: checkpointPath, state: state, queued: max(0, queued) + (loop == nil ? 0 : 1)))
        // From here until the outputs are final, a first Ctrl-C stops after the current frame, a second
        // drops it and finishes the outputs, a third stops at once; before this, the default action
        // (end the process) loses nothing.
        let settings = self.settings
        let interrupt = Interrupt.stopping(sinks) { outcome, _ in
            FileHandle.standardError.write(Data((outcome.stopReport(settings: settings) + "\n").utf8))
        }
        defer { interrupt.uninstall() }

        progress.announce("\(network.name), \(start.width)x\(start.height)\(sizeClause.map { " (\($0))" } ?? ""), \(total) frames, "
                          + "\(threads) thread\(threads == 1 ? "" : "s") -> \(outputs.summary)")
        if let sizeNote { progress.announce(sizeNote) }
        if let mappingNote { progress.announce(mappingNote) }
        if let musicNote { progress.announce(musicNote) }
        if let (output, image) = musicPlot {
            try output.write(image)
            progress.announce("music plot: \(output.path)")
        }
        if state.framesDone > 0 {
            progress.announce("resuming after frame \(state.framesDone) of \(total) from \(checkpointPath)")
        }
        let schedule = self.schedule, start = self.start, model = network.model, profile = self.profile
        let mask = self.mask, loop = self.loop
        var stages: StageTimes?
        var networkSeconds = 0.0
        let (outcome, failure) = outputs.render(on: network, into: sinks, preview: preview, progress: progress) { net in
            if state.framesDone == 0 {
                let cost = { (layer: String, h: Int, w: Int) in try model.stepCost(layer: layer, height: h, width: w).totalFLOP }
                let forecast = try RenderForecast(schedule: schedule, width: start.width, height: start.height, cost: cost)
                let seconds = try forecast.measure(network: net, schedule: schedule, start: start,
                                                   palette: state.colourReference, cost: cost)
                progress.announce("estimated time for the whole render: about \(ProgressLine.duration(seconds)) "
                                  + "(\(forecast.dreamedFrames) of \(total) frames dreamed)")
            }
            // The profile starts after the forecast's timed step, so that it covers the frames alone.
            let spent = { (net as? TimedNetwork)?.spent.inSeconds ?? 0 }
            let spentBefore = spent()
            defer { networkSeconds = spent() - spentBefore }
            stages = profile ? StageTimes() : nil
            try ZoomLoop(stages: stages, mask: mask, loop: loop).run(from: &state, network: net, schedule: schedule,
                                              sink: stages.map { $0.timing(sinks) } ?? sinks, progress: progress.update,
                                              delivered: sinks.delivered, onStep: progress.step,
                                              shouldStop: { interrupt.requested || sinks.mustStop != nil })
            return state.framesDone >= total
        }
        if let stages { progress.announce(stages.report(frames: state.framesDone - initialState.framesDone, network: networkSeconds)) }
        try outcome.conclude(failure: failure, lowOnSpace: sinks.mustStop, signal: interrupt.firstSignal, settings: settings,
                             settingsPath: outputs.settingsPath, progress: progress)
    }
}
