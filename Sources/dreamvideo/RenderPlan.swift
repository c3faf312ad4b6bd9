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
    var palette: ColourStats?

    init(command c: Render) throws {
        guard let backend = BackendKind(rawValue: c.backend.lowercased()) else { throw CommandError.badBackend(c.backend) }
        let threads = c.threads ?? ProcessInfo.processInfo.activeProcessorCount
        guard threads >= 1 && threads <= 256 else { throw CommandError.badThreads(threads) }
        self.threads = threads
        self.seed = c.seed

        var schedule = try Schedule.load(path: try PresetLocator().path(for: c.schedule))
        schedule = try schedule.applying(c.shortcuts.overrides)
        let modelName = c.model ?? schedule.model ?? ModelStore.defaultModel
        _ = try ModelStore().entry(named: modelName)

        let image = try ImageDecoder().decode(path: c.input)
        let guideImage = try c.guide.map { try ImageDecoder().decode(path: $0) }
        let size = try c.size.map(OutputSize.init(parsing:)) ?? OutputSize(evenFrom: image.width, image.height)
        self.outputs = try Outputs(mp4: c.output, framesDir: c.framesDir, input: c.input, overwrite: c.overwrite,
                                   encoder: MP4Sink.Options(fps: c.fps, crf: c.crf, preset: c.preset, codec: c.codec))

        let model = try ModelStore().load(name: modelName)
        self.network = try Network(model: model, backend: backend, threads: threads)
        var resolved = try schedule.resolved(for: network)
        if let g = guideImage { resolved = try resolved.guided(by: g, network: network) }
        self.schedule = resolved
        self.start = image.coverCropped(width: size.width, height: size.height)
        self.palette = try c.palette.map { ColourStats(of: try ImageDecoder().decode(path: $0)) }
    }

    func run() throws {
        let sinks = try outputs.open(frames: schedule.totalFrames)
        let progress = ProgressLine(total: schedule.totalFrames)
        progress.announce("\(network.name), \(start.width)x\(start.height), \(schedule.totalFrames) frames, "
                          + "\(threads) thread\(threads == 1 ? "" : "s") -> \(outputs.summary)")
        do {
            try FrameLoop().run(start: start, network: network, schedule: schedule, seed: seed,
                                palette: palette, sink: sinks, progress: progress.update)
            try sinks.finish()
        } catch {
            progress.end()
            throw error
        }
        progress.end()
        progress.announce("wrote \(outputs.summary)")
    }
}
