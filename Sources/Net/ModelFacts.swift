/// Figures about a model that a person choosing one wants to see (`dreamvideo models`, `layers`).
extension Model {
    /// Weights and biases of every convolution: the learned numbers (batch norms are folded in).
    public var parameterCount: Int {
        graph.nodes.reduce(0) { total, node in
            guard case .conv(let c) = node.op else { return total }
            return total + c.weight.count + c.bias.count
        }
    }

    /// The layer dreamed when none is named: the guide's, else the deepest.
    public var defaultLayer: String { LayerGuide.of(name)?.single ?? layers.last ?? "" }

    /// Each dreamable layer with its output shape [C, h, w] for an input of height x width, shallow to
    /// deep; nil for the layers that would be empty at that size (the input is too small for them).
    public func layerShapes(height: Int, width: Int) -> [(layer: String, shape: [Int]?)] {
        let indices = layers.map { graph.index(of: $0) }
        let deepest = indices.compactMap { $0 }.max() ?? 0
        // shapes(through:) throws at the first empty node; find how deep this size reaches.
        var reached: [[Int]] = []
        var last = deepest
        while last >= 0 {
            if let s = try? graph.shapes(height: height, width: width, through: last) { reached = s; break }
            last -= 1
        }
        return zip(layers, indices).map { name, i in
            guard let i, i < reached.count else { return (name, nil) }
            return (name, reached[i])
        }
    }

    /// The cost of one dream step on `layer` (mean of its squared activations) at height x width.
    public func stepCost(layer: String, height: Int, width: Int) throws -> StepCost {
        guard let i = graph.index(of: layer) else {
            throw NetworkError.unknownLayer(layer, model: name, layers: layers)
        }
        return try graph.stepCost(targets: [i], height: height, width: width)
    }
}

extension Network {
    /// The mean activation of each channel of `layer` for an RGB image: which channels the picture
    /// excites most (a guide's channels, a channel gallery's).
    public func channelMeans(of image: Tensor, layer: String) throws -> [Float] {
        let a = try activations(of: image, layers: [layer])[0]
        let plane = a.shape[1] * a.shape[2]
        return (0..<a.shape[0]).map { c in
            var s: Float = 0
            for k in (c * plane)..<((c + 1) * plane) { s += a.data[k] }
            return s / Float(max(1, plane))
        }
    }
}
