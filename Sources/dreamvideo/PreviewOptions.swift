import ArgumentParser
import Foundation
import FrameLoop
import Imaging
import Net
import Render
import Schedule

/// The --preview flag: the whole schedule at half the width and half the height, lighter (see
/// Schedule.preview), into its own file, with a forecast of the full render's time (RenderRequest's
/// preview functions, in Render).
struct PreviewOptions: ParsableArguments {
    @Flag(name: .long, help: ArgumentHelp(
        "Render the whole schedule quickly to judge it: half the width and height, one octave fewer (about a quarter to a fifth of the time).",
        discussion: "Writes <input>-dream-preview.mp4 (and DIR-preview/ for --frames-dir) unless -o is given, then prints how long the preview took and how long the full render should take."))
    var preview = false
}

extension PreviewForecast {
    /// `total`: the preview's frame loop; `network`: the part of it spent in the network.
    func report(total: Duration, network: Duration, progress: ProgressLine) {
        let t = total.inSeconds, n = min(t, network.inSeconds)
        progress.announce("preview took \(ProgressLine.duration(t)) (\(ProgressLine.duration(n)) in the network); the full render "
                          + "(\(fullWidth)x\(fullHeight)) should take about \(ProgressLine.duration(fullSeconds(total: t, network: n))) "
                          + String(format: "(%.1fx the network's work, %.1fx the pixels)", workRatio, pixelRatio))
    }
}
