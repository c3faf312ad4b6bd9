/// A network ready to run: its graph with weights, how it wants its input, and which layers are
/// worth dreaming on.
public struct Model: Sendable {
    public var name: String
    /// One line for `--list-models` and the like.
    public var description: String
    public var graph: Graph
    public var input: InputConvention
    /// Node names usable in an Objective, shallow to deep.
    public var layers: [String]
    /// The node whose spatial mean gives the class scores, for classifiers.
    public var logitsLayer: String?

    public init(name: String, description: String, graph: Graph, input: InputConvention,
                layers: [String], logitsLayer: String? = nil) {
        self.name = name; self.description = description; self.graph = graph
        self.input = input; self.layers = layers; self.logitsLayer = logitsLayer
    }
}

public enum ChannelOrder: String, Sendable {
    case rgb, bgr
}

/// Network input x' = (x - mean[c]) * scale[c], for x the 0...255 pixel value of the network's
/// channel c (taken from the RGB image in `channelOrder`).
public struct InputConvention: Sendable, Equatable {
    public var channelOrder: ChannelOrder
    /// Per channel, in the network's channel order, on the 0...255 scale.
    public var mean: [Float]
    /// Per channel, in the network's channel order: torchvision's networks divide by a per-channel std.
    public var scale: [Float]

    public init(channelOrder: ChannelOrder, mean: [Float], scale: [Float]) {
        self.channelOrder = channelOrder; self.mean = mean; self.scale = scale
    }

    /// The same scale for every channel.
    public init(channelOrder: ChannelOrder, mean: [Float], scale: Float) {
        self.init(channelOrder: channelOrder, mean: mean, scale: [scale, scale, scale])
    }

    /// The RGB image channel that feeds network channel `c`.
    public func sourceChannel(_ c: Int) -> Int { channelOrder == .rgb ? c : 2 - c }
}
