import ArgumentParser
import Schedule

/// The octave recipe's knobs, the same options on `render`, `dream` and `gallery`. Each left out keeps
/// the schedule's value; a still has no schedule and takes the built-in defaults (`DreamSettings()`).
struct OctaveOptions: ParsableArguments {
    private static let defaults = DreamSettings()

    @Option(name: .long, help: "Octaves (image scales) dreamed, smallest first; octaves below \(defaults.minimumOctaveSide) px are skipped. Default: the schedule's (\(defaults.octaves) if it is silent, and for a still).")
    var octaves: Int?

    @Option(name: .long, help: "Size ratio between octaves. Default: the schedule's (\(defaults.octaveScale)).")
    var octaveScale: Double?

    @Option(name: .long, help: "Gradient-ascent steps per octave; 0 leaves the picture as it is. Default: the schedule's (\(defaults.steps)).")
    var steps: Int?

    @Option(name: .long, help: "Step size; each step is normalised by the gradient's mean magnitude. Default: the schedule's (\(defaults.stepSize)).")
    var stepSize: Double?

    @Option(name: .long, help: "Largest random shift (pixels) before each step; hides tiling artefacts. Default: the schedule's (\(defaults.jitter)).")
    var jitter: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Pattern scale: the shorter side, in pixels, at which the network sees the frame; a larger frame is dreamed at that size and the dream carried up, so a 1080p render looks like its 640x360 preview, only sharper. 0: the frame's own size. Default: the schedule's (\(DreamSettings.defaultDreamScale)).",
        valueName: "pixels"))
    var dreamScale: Int?

    /// These options as schedule overrides (unset ones stay nil).
    func applied(to o: Overrides) -> Overrides {
        var o = o
        o.octaves = octaves; o.octaveScale = octaveScale; o.steps = steps; o.stepSize = stepSize
        o.jitter = jitter; o.dreamScale = dreamScale
        return o
    }
}
