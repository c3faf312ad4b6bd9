import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Schedule

/// What `gallery` was asked for: the parsed option values as plain Swift values.
@dynamicMemberLookup
public struct GalleryRequest: HoldsStillRequest {
    public var still: StillRequest
    /// --layers "a,b,c" (a layer may pick channels) or --channels "layer[:n]"; neither: every dreamable layer.
    public var layers: String?
    public var channels: String?
    /// Each tile's size.
    public var size = OutputSize(width: 320, height: 180)
    /// Tiles per row (nil: a square-ish grid).
    public var columns: Int?

    public init(input: String, output: String) { still = StillRequest(input: input, output: output) }
}

/// A gallery's sheet, checked and set up before any dreaming: its tiles (a layer or a channel each,
/// the same settings and seed), their layout and the picture they start from.
public struct GalleryPlan {
    public var output: StillOutput
    public var start: FloatImage
    public var network: Network
    public var tiles: [Gallery.Tile]
    public var sheet: ContactSheet
    public var seed: UInt64

    public init(request r: GalleryRequest) throws {
        let size = r.size
        output = try StillOutput(path: r.output, overwrite: r.overwrite, reads: [ReadFile(option: "the input", path: r.input)])
        try EngineChoice.checkModel(r.model)
        start = try ImageDecoder().decode(path: r.input).coverCropped(width: size.width, height: size.height)
        network = try EngineChoice.network(r.model, threads: try EngineChoice.threads(r.threads), precision: r.precision)

        var specs: [String]
        if let channels = r.channels {
            let (layer, count) = try GalleryLayers.channelRequest(channels, network: network)
            let picked = try Gallery.mostActiveChannels(of: layer, in: start, network: network, count: count)
            specs = picked.map { "\(layer):\($0)" }
        } else if let layers = r.layers {
            specs = try GalleryLayers.layerList(layers, network: network)
        } else {
            specs = network.layers
        }
        let network = self.network
        tiles = try specs.map { spec in
            let segment = try resolveSchedule(DreamPlan.schedule(spec, settings: r.settings), on: network, guide: nil,
                                              width: size.width, height: size.height).segments[0]
            return Gallery.Tile(label: spec, segment: segment)
        }
        sheet = ContactSheet(tileWidth: size.width, tileHeight: size.height, columns: r.columns ?? ContactSheet.columns(for: tiles.count))
        seed = r.seed
    }
}
