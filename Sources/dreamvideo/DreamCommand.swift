import ArgumentParser
import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Render
import Schedule

/// `dreamvideo dream`: one picture dreamed once, as the video's first frame would be, into a PNG.
struct DreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dream",
        abstract: "Dream a single image into a PNG: the same octave dreaming and layers as the video, no camera.",
        usage: "dreamvideo dream <input> -o <out.png> [--layer <name>] [--model <name>] [--size <WxH>] [--octaves <n>] [--steps <n>] ...",
        discussion: """
        A layer may pick channels (--layer mixed_5:12 or mixed_5:12,40) as in a schedule, and --guide \
        dreams toward another picture's features, as in a video. Without --size the input keeps its \
        size, scaled down to fit \(maxSide)x\(maxSide) if it is larger.

        Examples:
          dreamvideo dream photo.jpg -o eyes.png --layer mixed_4
          dreamvideo dream photo.jpg -o dog.png --model squeezenet1_1 --layer fire7 --steps 20
        """)

    static let maxSide = StillSize.maxSide

    @Argument(help: "The image to dream on (PNG or JPEG).")
    var input: String

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The PNG to write.", valueName: "out.png"))
    var output: String

    @Option(name: .long, help: ArgumentHelp(
        "The layer to amplify, optionally with channels (mixed_5:12,40). Default: the network's default (see `dreamvideo layers`).",
        valueName: "name"))
    var layer: String?

    @Option(name: .long, help: ArgumentHelp("The network (see `dreamvideo models`).", valueName: "name"))
    var model: String = ModelStore.defaultModel

    @Option(name: .long, help: ArgumentHelp(
        "Output size WxH (the input is scaled to cover it and centre-cropped). Default: the input's size, at most \(maxSide) on its longer side.",
        valueName: "WxH"), transform: { try OutputSize(parsing: $0) })
    var size: OutputSize?

    @Option(name: .long, help: ArgumentHelp(
        "Dream toward this picture's features: the layer's channels this image excites most.", valueName: "image"))
    var guide: String?

    @OptionGroup var dream: StillDreamOptions

    @OptionGroup var engine: EngineOptions

    @Flag(name: .long, help: "Replace the output PNG if it exists.")
    var overwrite = false

    mutating func run() throws {
        try reportingErrors { try dreamImage() }
    }

    /// The options as plain values: what Render's DreamPlan sets the dream up from.
    var request: DreamRequest {
        var r = DreamRequest(input: input, output: output)
        r.still = dream.request(input: input, output: output, model: model, engine: engine, overwrite: overwrite)
        r.layer = layer; r.size = size; r.guide = guide
        return r
    }

    private func dreamImage() throws {
        let plan = try DreamPlan(request: request) { ProgressLine(total: 1).announce($0) }
        let (output, start, network, segment) = (plan.output, plan.start, plan.network, plan.segment)
        let d = segment.settings.dream(forFrame: 1)
        let progress = ProgressLine(total: 1)
        progress.announce("\(network.name), \(segment.layerDescription), \(start.width)x\(start.height), "
                          + "\(d.octaveSizes(width: start.width, height: start.height).count) octaves x \(d.steps) steps -> \(output.path)")
        let dreamed = try dreamStill(start, network: TiledNetwork(network), segment: segment, seed: dream.seed)
        try output.write(dreamed)
        progress.announce("wrote \(output.path)")
    }
}
