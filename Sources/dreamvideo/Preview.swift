import ArgumentParser
import Foundation
import FrameLoop

/// The --preview flag: the whole schedule at half the width and half the height, lighter (see
/// Schedule.preview), into its own file, with a forecast of the full render's time.
struct PreviewOptions: ParsableArguments {
    @Flag(name: .long, help: ArgumentHelp(
        "Render the whole schedule quickly to judge it: half the width and height, one octave fewer, every other dreamed frame left to the camera.",
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

    /// Half of each side, kept even and no smaller than the network's smallest input.
    func previewSize(of size: OutputSize) throws -> OutputSize {
        let w = max(OutputSize.sides.lowerBound + 1, size.width / 2), h = max(OutputSize.sides.lowerBound + 1, size.height / 2)
        return try OutputSize(evenFrom: w, h)
    }
}

/// Scales a preview's measured time to the full render by the ratio of their dreaming work.
struct PreviewEstimate {
    var fullWork: Double
    var previewWork: Double
    var fullSize: OutputSize

    /// `everyFrameDreamed`: a video input, where the cadence does not apply.
    init(full: ResolvedSchedule, fullSize: OutputSize, preview: ResolvedSchedule, previewSize: OutputSize,
         everyFrameDreamed: Bool = false) {
        fullWork = full.dreamWork(width: fullSize.width, height: fullSize.height, everyFrameDreamed: everyFrameDreamed)
        previewWork = preview.dreamWork(width: previewSize.width, height: previewSize.height, everyFrameDreamed: everyFrameDreamed)
        self.fullSize = fullSize
    }

    var ratio: Double { fullWork / max(1, previewWork) }

    func report(seconds d: Duration, progress: ProgressLine) {
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        progress.announce(String(format: "preview took %@; the full render (%dx%d) should take about %@ (%.1fx the preview's dreaming)",
                                 ProgressLine.duration(s), fullSize.width, fullSize.height,
                                 ProgressLine.duration(s * ratio), ratio))
    }
}
