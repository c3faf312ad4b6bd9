import ArgumentParser
import FrameLoop
import Imaging
import Media
import Render
import Schedule

/// `--mask` and `--loop`: what a still image's render keeps of the start image, and whether its end
/// leads back into its start. The logic is FrameLoop's (`DreamMask`, `SeamlessLoop`), their checks and
/// messages Render's (MaskLoop.swift); here only the options.
struct MaskLoopOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Dream only where this picture is white; keep the start image where it is black, grey in between (its brightness; transparent counts as white). It moves with the camera; the schedule's mask_strength (0...1, keyframable) fades it. Any size of the input's aspect ratio.",
        valueName: "mask.png"))
    var mask: String?

    @Flag(name: .long, help: "Make a video that loops without a jump: the last frames lead back into the first (at least 8 frames).")
    var loop = false
}
