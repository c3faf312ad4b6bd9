import ArgumentParser
import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Render
import Schedule

/// The dream settings `dream` and `gallery` share; each left out takes the built-in default
/// (as a schedule that says nothing: 3 octaves x 1.4, 10 steps of 1.5, jitter 32).
struct StillDreamOptions: ParsableArguments {
    @Option(name: .long, help: "Octaves (image scales) dreamed, smallest first; octaves below 75 px are skipped. Default: 3.")
    var octaves: Int?

    @Option(name: .long, help: "Size ratio between octaves. Default: 1.4.")
    var octaveScale: Double?

    @Option(name: .long, help: "Gradient-ascent steps per octave; 0 leaves the picture as it is. Default: 10.")
    var steps: Int?

    @Option(name: .long, help: "Step size; each step is normalised by the gradient's mean magnitude. Default: 1.5.")
    var stepSize: Double?

    @Option(name: .long, help: "Largest random shift (pixels) before each step; hides tiling artefacts. Default: 32.")
    var jitter: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Pattern scale: the shorter side, in pixels, at which the network sees the picture; a larger picture is dreamed at that size and the dream carried up, as a render does. 0: the picture's own size. Default: \(DreamSettings.defaultDreamScale).",
        valueName: "pixels"))
    var dreamScale: Int?

    @Option(name: .long, help: "Seed of the random jitter: the same seed, settings and input give the same picture.")
    var seed: UInt64 = 0

    /// These settings as values (StillRequest.settings).
    var settings: Overrides {
        var o = Overrides(octaves: octaves, octaveScale: octaveScale, steps: steps, stepSize: stepSize, jitter: jitter)
        o.dreamScale = dreamScale
        return o
    }

    /// What `dream` and `gallery` share, as plain values for Render.
    func request(input: String, output: String, model: String, engine: EngineOptions, overwrite: Bool) -> StillRequest {
        var r = StillRequest(input: input, output: output)
        r.model = model; r.settings = settings; r.seed = seed
        r.threads = engine.resolvedThreads(); r.precision = engine.precision; r.overwrite = overwrite
        return r
    }
}
