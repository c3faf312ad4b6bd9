import ArgumentParser
import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Render
import Schedule

/// --music and --music-plot (read and checked by RenderRequest.readMusic, in Render).
struct MusicOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Dream to music (any audio FFmpeg reads, or a video's sound): the frame count follows its length at --fps (unless --frames), its beats push the zoom and its loudness the step size, and a schedule's layer changes move onto its beats (or what the schedule binds, e.g. \"zoom\": {\"music\": \"onset\", \"base\": 1.01, \"gain\": 0.03}; \"loudness\" too), and it plays in the MP4 (AAC).",
        valueName: "audio"))
    var music: String?

    @Option(name: .long, help: ArgumentHelp(
        "With --music: draw the loudness, the onsets found and the resulting zoom over the frames into this PNG.", valueName: "plot.png"))
    var musicPlot: String?
}
