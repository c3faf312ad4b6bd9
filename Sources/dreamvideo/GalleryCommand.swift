import ArgumentParser
import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Render
import Schedule

/// `dreamvideo gallery`: what each layer (or each channel of one layer) paints, on one labelled sheet.
struct GalleryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gallery",
        abstract: "Dream one picture once per layer (or per channel of a layer) and lay the results out as one labelled PNG sheet.",
        usage: "dreamvideo gallery <input> -o <sheet.png> [--model <name>] [--layers <a,b,c> | --channels <layer[:n]>] [--size <WxH>] [--steps <n>] ...",
        discussion: """
        Each tile is the input, cover-cropped to --size, dreamed on one layer with the same settings \
        and seed, labelled with the layer's name underneath; tiles run left to right, shallow to deep. \
        --channels LAYER:N makes one tile per channel instead: the N channels of LAYER this picture \
        excites most (highest mean activation), most first, labelled LAYER:CHANNEL, ready for \
        --layer LAYER:CHANNEL.

        Examples:
          dreamvideo gallery photo.jpg -o layers.png
          dreamvideo gallery photo.jpg -o some.png --layers mixed_3,mixed_4 --size 480x270
          dreamvideo gallery photo.jpg -o channels.png --channels mixed_4:16
        """)

    @Argument(help: "The image to dream on (PNG or JPEG).")
    var input: String

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The sheet PNG to write.", valueName: "sheet.png"))
    var output: String

    @Option(name: .long, help: ArgumentHelp("The network (see `dreamvideo models`).", valueName: "name"))
    var model: String = ModelStore.defaultModel

    @Option(name: .long, help: ArgumentHelp(
        "Comma-separated layers, one tile each (a layer may pick channels: mixed_5:12). Default: every dreamable layer.",
        valueName: "a,b,c"))
    var layers: String?

    @Option(name: .long, help: ArgumentHelp(
        "One tile per channel of this layer: its N channels most excited by the picture (default N: \(GalleryLayers.defaultChannels)).",
        valueName: "layer[:n]"))
    var channels: String?

    @Option(name: .long, help: ArgumentHelp("Size WxH of each tile.", valueName: "WxH"), transform: { try OutputSize(parsing: $0) })
    var size = OutputSize(width: 320, height: 180)

    @Option(name: .long, help: "Tiles per row. Default: a square-ish grid.")
    var columns: Int?

    @OptionGroup var dream: StillDreamOptions

    @OptionGroup var engine: EngineOptions

    @Flag(name: .long, help: "Replace the output PNG if it exists.")
    var overwrite = false

    func validate() throws {
        if layers != nil && channels != nil { throw RequestError.layersAndChannels }
        if let c = columns, !(1...64).contains(c) { throw RequestError.badColumns(c) }
    }

    mutating func run() throws {
        try reportingErrors { try gallery() }
    }

    /// The options as plain values: what Render's GalleryPlan sets the sheet up from.
    var request: GalleryRequest {
        var r = GalleryRequest(input: input, output: output)
        r.still = dream.request(input: input, output: output, model: model, engine: engine, overwrite: overwrite)
        r.layers = layers; r.channels = channels; r.size = size; r.columns = columns
        return r
    }

    private func gallery() throws {
        let plan = try GalleryPlan(request: request)
        let (output, start, network, tiles, sheet, size) = (plan.output, plan.start, plan.network, plan.tiles, plan.sheet, self.size)
        let total = sheet.size(for: tiles.count)
        let progress = ProgressLine(total: tiles.count)
        progress.announce("\(network.name): \(tiles.count) tiles of \(size.width)x\(size.height) -> \(output.path) (\(total.width)x\(total.height))")
        let clock = ContinuousClock()
        var last = clock.now
        let image = try Gallery(tiles: tiles, sheet: sheet, seed: plan.seed).render(start, network: network) { done, count, label in
            if done > 0 {
                progress.announce(String(format: "  %.1f s", (clock.now - last).inSeconds))
            }
            last = clock.now
            FileHandle.standardError.write(Data("tile \(done + 1)/\(count) \(label)".utf8))
        }
        progress.announce(String(format: "  %.1f s", (clock.now - last).inSeconds))
        try output.write(image)
        progress.announce("wrote \(output.path)")
    }
}
