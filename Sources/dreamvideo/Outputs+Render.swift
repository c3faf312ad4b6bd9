import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Render

extension Outputs {
    /// Runs a render's frame `loop` on `network` into `sinks`, then closes them: a finished, a stopped
    /// and a failed render all end with complete, playable files, the settings beside them and, when
    /// it stopped early, a checkpoint. Returns what the outputs hold and the error that stopped the
    /// loop, if one did. For a complete preview, reports the forecast. Shared by image and video renders.
    func render(on network: Network, into sinks: OpenOutputs, preview: PreviewForecast?,
                progress: ProgressLine, loop: (DreamNetwork) throws -> Bool) -> (OpenOutputs.Outcome, Error?) {
        let clock = ContinuousClock(), began = clock.now
        // Frames above 1280x720 are dreamed in tiles: memory then stays under ~3 GB at 1920x1080.
        let timed = TimedNetwork(TiledNetwork(network))
        var failure: Error?
        var reachedEnd = false
        do { reachedEnd = try loop(timed) } catch { failure = error }
        progress.end()
        let outcome = sinks.closeFromRenderThread(reachedEnd: reachedEnd)
        if outcome.problems.isEmpty && outcome.complete {
            preview?.report(total: clock.now - began, network: timed.spent, progress: progress)
        }
        return (outcome, failure)
    }
}
