import Imaging
import Net
import Schedule

/// One picture dreamed on its own (`dreamvideo dream`, each tile of `dreamvideo gallery`): the
/// video's first frame without the camera, i.e. a schedule segment's objective and its first-frame
/// dream settings (octaves, steps, jitter...), with the jitter seeded by `seed`.
public func dreamStill(_ image: FloatImage, network: DreamNetwork, segment: ResolvedSchedule.Segment,
                       seed: UInt64) throws -> FloatImage {
    var rng = SeededRandom(seed: seed)
    return try dream(image, network: network, objective: segment.objective,
                     settings: segment.settings.dream(forFrame: 1), rng: &rng)
}

/// A contact sheet of one picture dreamed once per tile (a layer, or a channel of a layer).
public struct Gallery: Sendable {
    public struct Tile: Sendable {
        public var label: String
        public var segment: ResolvedSchedule.Segment
        public init(label: String, segment: ResolvedSchedule.Segment) { self.label = label; self.segment = segment }
    }

    public var tiles: [Tile]
    public var sheet: ContactSheet
    public var seed: UInt64

    public init(tiles: [Tile], sheet: ContactSheet, seed: UInt64) {
        self.tiles = tiles; self.sheet = sheet; self.seed = seed
    }

    /// `image` must already be the tile size. `progress(done, total, label)` is called before each tile.
    public func render(_ image: FloatImage, network: DreamNetwork,
                       progress: (Int, Int, String) -> Void = { _, _, _ in }) throws -> FloatImage {
        var dreamed: [(image: FloatImage, label: String)] = []
        for (i, tile) in tiles.enumerated() {
            progress(i, tiles.count, tile.label)
            // The same seed for every tile: the tiles differ by their objective alone.
            dreamed.append((try dreamStill(image, network: network, segment: tile.segment, seed: seed), tile.label))
        }
        return sheet.render(dreamed)
    }

    /// The `count` channels of `layer` this picture excites most (highest mean activation), most first.
    public static func mostActiveChannels(of layer: String, in image: FloatImage, network: Network, count: Int) throws -> [Int] {
        let means = try network.channelMeans(of: image.tensor, layer: layer)
        return Array(means.indices.sorted { means[$0] > means[$1] || (means[$0] == means[$1] && $0 < $1) }.prefix(count))
    }
}
