import ArgumentParser
import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Render
import Schedule

/// Options that only mean something when INPUT is a video (checked by RenderRequest and VideoInputPlan, in Render).
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
        if let carry, !(0...1).contains(carry) { throw RequestError.badCarry(carry) }
    }

    var followsMotion: Bool { (flow ?? .on) == .on }
}

/// A video's render, set up by Render's VideoInputPlan: run with progress, interrupt and messages.
extension VideoInputPlan {
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
