import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Render
import Schedule

/// A still image's render, set up by Render's RenderPlan: run with progress, interrupt and messages.
extension RenderPlan {
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
                                                   palette: state.colourReference, cost: cost,
                                                   writeProbe: sinks.secondsPerWrite(probing:))
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
