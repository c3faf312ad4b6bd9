import ArgumentParser
import Foundation
import FrameLoop
import Imaging
import Net
import Schedule

/// The --preview flag: the whole schedule at half the width and half the height, lighter (see
/// Schedule.preview), into its own file, with a forecast of the full render's time.
struct PreviewOptions: ParsableArguments {
    @Flag(name: .long, help: ArgumentHelp(
        "Render the whole schedule quickly to judge it: half the width and height, one octave fewer (about a quarter to a fifth of the time).",
        discussion: "Writes <input>-dream-preview.mp4 (and DIR-preview/ for --frames-dir) unless -o is given, then prints how long the preview took and how long the full render should take."))
    var preview = false

    /// The outputs: with --preview and no -o, the default names with -preview, so the preview never
    /// stands in for (or blocks) the full render's files.
    func outputs(mp4: String?, framesDir: String?, input: String) -> (String?, String?) {
        guard preview, mp4 == nil else { return (mp4, framesDir) }
        var dir = framesDir
        while let d = dir, d.count > 1, d.hasSuffix("/") { dir = String(d.dropLast()) }
        let stem = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
        return (dir == nil ? stem + "-dream-preview.mp4" : nil, dir.map { $0 + "-preview" })
    }

    /// With --preview, the forecast: the full render's schedule (as the command line makes it) and size
    /// against the preview's. The dreaming work does not depend on a guide's channel choice.
    func estimate(schedule: String, overrides: Overrides, network: DreamNetwork, fullSize: OutputSize,
                  preview resolved: ResolvedSchedule, previewSize: OutputSize, everyFrameDreamed: Bool = false) throws -> PreviewForecast? {
        guard preview else { return nil }
        let full = try PresetLocator().schedule(for: schedule, model: network.name, overrides: overrides).schedule.resolved(for: network)
        return PreviewForecast(full: full, fullSize: fullSize, preview: resolved, previewSize: previewSize,
                               everyFrameDreamed: everyFrameDreamed)
    }

    /// Half of each side, kept even and no smaller than the network's smallest input.
    func previewSize(of size: OutputSize) throws -> OutputSize {
        let w = max(OutputSize.sides.lowerBound + 1, size.width / 2), h = max(OutputSize.sides.lowerBound + 1, size.height / 2)
        return try OutputSize(evenFrom: w, h)
    }
}

extension PreviewForecast {
    init(full: ResolvedSchedule, fullSize: OutputSize, preview: ResolvedSchedule, previewSize: OutputSize,
         everyFrameDreamed: Bool = false) {
        self.init(full: full, fullWidth: fullSize.width, fullHeight: fullSize.height, preview: preview,
                  previewWidth: previewSize.width, previewHeight: previewSize.height, everyFrameDreamed: everyFrameDreamed)
    }

    /// `total`: the preview's frame loop; `network`: the part of it spent in the network.
    func report(total: Duration, network: Duration, progress: ProgressLine) {
        let t = total.inSeconds, n = min(t, network.inSeconds)
        progress.announce("preview took \(ProgressLine.duration(t)) (\(ProgressLine.duration(n)) in the network); the full render "
                          + "(\(fullWidth)x\(fullHeight)) should take about \(ProgressLine.duration(fullSeconds(total: t, network: n))) "
                          + String(format: "(%.1fx the network's work, %.1fx the pixels)", workRatio, pixelRatio))
    }
}
