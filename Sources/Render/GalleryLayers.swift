import Foundation
import Net
import Schedule

/// What `gallery --layers` and `--channels` name, checked against the network so that the message
/// names the option. A layer's channels ("mixed_5:12,40") are read by Schedule's own parser, as a
/// schedule's and --layer's are.
public enum GalleryLayers {
    /// Tiles of `--channels LAYER` without a count.
    public static let defaultChannels = 16

    /// "a,b,c": each a layer of the network (with optional channels), checked here so the message names --layers.
    public static func layerList(_ text: String, network: Network) throws -> [String] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.contains(where: \.isEmpty) else { throw RequestError.badLayerList(text) }
        // A channel list continues after a colon ("mixed_5:12,40"): numbers join the layer before them.
        var specs: [String] = []
        for item in items {
            if Int(item) != nil, let previous = specs.last, previous.contains(":") {
                specs[specs.count - 1] += "," + item
                continue
            }
            let name: String
            do { name = try Schedule.layerWeight(item, weight: 1, file: "--layers", place: item).name } catch {
                throw RequestError.badLayerSpec(item)
            }
            guard network.layers.contains(name) else {
                throw RequestError.unknownLayer(name, option: "--layers", model: network.name, layers: network.layers)
            }
            specs.append(item)
        }
        return specs
    }

    /// "layer" or "layer:n".
    public static func channelRequest(_ text: String, network: Network) throws -> (layer: String, count: Int) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count) else { throw RequestError.badChannels(text) }
        let layer = parts[0]
        guard network.layers.contains(layer) else {
            throw RequestError.unknownLayer(layer, option: "--channels", model: network.name, layers: network.layers)
        }
        guard parts.count == 2 else { return (layer, defaultChannels) }
        guard let n = Int(parts[1]), (1...256).contains(n) else { throw RequestError.badChannels(text) }
        return (layer, n)
    }
}
