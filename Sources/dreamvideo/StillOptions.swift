import ArgumentParser
import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Render
import Schedule

/// The dream settings `dream` and `gallery` share (the octave options are `render`'s too); each left
/// out takes the built-in default (as a schedule that says nothing: `DreamSettings()`).
struct StillDreamOptions: ParsableArguments {
    @OptionGroup var octave: OctaveOptions

    @Option(name: .long, help: "Seed of the random jitter: the same seed, settings and input give the same picture.")
    var seed: UInt64 = 0

    /// These settings as values (StillRequest.settings).
    var settings: Overrides { octave.applied(to: Overrides()) }

    /// What `dream` and `gallery` share, as plain values for Render.
    func request(input: String, output: String, model: String, engine: EngineOptions, overwrite: Bool) -> StillRequest {
        var r = StillRequest(input: input, output: output)
        r.model = model; r.settings = settings; r.seed = seed
        r.threads = engine.resolvedThreads(); r.precision = engine.precision; r.overwrite = overwrite
        return r
    }
}
