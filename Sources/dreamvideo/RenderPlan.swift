import ArgumentParser
import Encode
import Foundation
import FrameLoop
import Net

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
    var initialState: FrameLoop.State
    /// With --preview: how to scale the preview's time up to the full render's.
    var preview: PreviewForecast?
    /// How a preset for another network was mapped onto this one, shown when the render starts.
    var mappingNote: String?
    /// --profile: time each stage of every frame.
    var profile = false

    init(command c: Render) throws {
        guard let backend = BackendKind(rawValue: c.backend.lowercased()) else { throw CommandError.badBackend(c.backend) }
        let precision = try c.engine.resolvedPrecision()
        let threads = try c.engine.resolvedThreads()
        self.threads = threads
        self.seed = c.seed
        self.profile = c.profile

        var (schedule, mapping) = try PresetLocator().schedule(for: c.schedule, model: c.model, overrides: c.shortcuts.overrides)
        mappingNote = mapping
        if c.previewOptions.preview { schedule = schedule.preview() }
        let modelName = c.model ?? schedule.model ?? ModelStore.defaultModel
        _ = try ModelStore().entry(named: modelName)

        let image = try ImageDecoder().decode(path: c.input)
        let guideImage = try c.guide.map { try ImageDecoder().decode(path: $0) }
        let fullSize = try c.size.map(OutputSize.init(parsing:)) ?? OutputSize(evenFrom: image.width, image.height)
        let size = c.previewOptions.preview ? try c.previewOptions.previewSize(of: fullSize) : fullSize
        let (mp4, framesDir) = c.previewOptions.outputs(mp4: c.output, framesDir: c.framesDir, input: c.input)
        self.outputs = try Outputs(mp4: mp4, framesDir: framesDir, input: c.input, overwrite: c.overwrite,
                                   encoder: MP4Sink.Options(fps: c.fps ?? 30, crf: c.crf, preset: c.preset, codec: c.codec),
                                   resume: c.resume)
        if outputs.mp4 != nil && (size.width % 2 != 0 || size.height % 2 != 0) {
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
        self.schedule = resolved
        preview = try c.previewOptions.estimate(schedule: c.schedule, overrides: c.shortcuts.overrides, network: network,
                                                fullSize: fullSize, preview: resolved, previewSize: size)
        self.start = image.coverCropped(width: size.width, height: size.height)
        let palette = try c.palette.map { ColourStats(of: try ImageDecoder().decode(path: $0)) }

        settings = RenderSettings(command: c, size: size, model: modelName, store: store, backend: backend,
                                  precision: precision, threads: threads, outputs: outputs, fps: c.fps ?? 30, schedule: schedule)
        outputs.encoder.metadata["comment"] = settings.compactJSON

        if c.resume {
            let cp = try Checkpoint.load(from: checkpointPath)
            if let d = settings.firstDifference(from: cp.settings) {
                throw CommandError.resumeMismatch(checkpoint: checkpointPath, key: d.key, then: d.then, now: d.now)
            }
            guard cp.state.canvas.width == start.width, cp.state.canvas.height == start.height,
                  (0..<self.schedule.totalFrames).contains(cp.state.framesDone) else {
                throw CommandError.badCheckpoint(checkpointPath, reason: "does not fit this render")
            }
            initialState = cp.state
        } else {
            initialState = FrameLoop.State(start: start, seed: seed, palette: palette)
        }
    }

    func run() throws {
        let total = schedule.totalFrames
        let progress = ProgressLine(total: total)
        let outputs = self.outputs
        // From here until the outputs are final, a first Ctrl-C stops after the current frame and a
        // second stops at once; before this, the default action (end the process) loses nothing.
        let interrupt = Interrupt.stoppingAfterFrame(removing: outputs)
        defer { interrupt.uninstall() }

        var state = initialState
        // Starting again (--overwrite): an older checkpoint would no longer match the frame files.
        if state.framesDone == 0 { unlink(checkpointPath) }
        let stages = profile ? StageTimes() : nil
        var sinks = try outputs.open(frames: total, framesDone: state.framesDone)
        if let stages { sinks = stages.timing(sinks) }
        var networkSeconds = 0.0
        if let mappingNote { progress.announce(mappingNote) }
        if state.framesDone > 0 {
            progress.announce("resuming after frame \(state.framesDone) of \(total) from \(checkpointPath)")
        }
        progress.announce("\(network.name), \(start.width)x\(start.height), \(total) frames, "
                          + "\(threads) thread\(threads == 1 ? "" : "s") -> \(outputs.summary)")
        try outputs.render(on: network, into: sinks, settings: settings, preview: preview, progress: progress) { net in
            defer { networkSeconds = (net as? TimedNetwork).map { Double($0.spent.components.seconds) + Double($0.spent.components.attoseconds) * 1e-18 } ?? 0 }
            try FrameLoop(stages: stages).run(from: &state, network: net, schedule: schedule, sink: sinks,
                                              progress: progress.update, shouldStop: { interrupt.requested })
        }
        if let stages { progress.announce(stages.report(frames: state.framesDone - initialState.framesDone, network: networkSeconds)) }
        if state.framesDone < total {
            try Checkpoint(settings: settings, totalFrames: total, state: state).save(to: checkpointPath)
            progress.announce("stopped after frame \(state.framesDone) of \(total); the frames done are in \(outputs.summary). "
                              + "To continue, run the same command with --resume (checkpoint: \(checkpointPath))")
            throw ExitCode(128 + (interrupt.firstSignal ?? SIGINT))
        }
        unlink(checkpointPath)
        progress.announce("wrote \(outputs.summary) (settings: \(outputs.settingsPath))")
    }
}
