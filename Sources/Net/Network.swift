import Foundation

/// A Model run by an Engine, speaking in RGB images of 0...255 ([3, H, W]): it applies the
/// model's input convention on the way in and chains the gradient back through it.
public final class Network: DreamNetwork {
    public let model: Model
    public let engine: Engine

    /// `engine` must have been made for `model.graph`.
    public init(model: Model, engine: Engine) {
        self.model = model
        self.engine = engine
    }

    public var name: String { model.name }
    public var layers: [String] { model.layers }

    public func gradient(of objective: Objective, at image: Tensor) throws -> (value: Float, gradient: Tensor) {
        let terms = try objective.terms.map { t in (node: try node(t.layer), weight: t.weight, channels: t.channels) }
        let (value, g) = try engine.valueAndGradient(try normalise(image), terms: terms)
        return (value, denormaliseGradient(g))
    }

    /// Activations [C, h, w] of the named layers (any node name of the graph) for an RGB image.
    public func activations(of image: Tensor, layers: [String]) throws -> [Tensor] {
        try engine.forward(try normalise(image), outputs: try layers.map(node))
    }

    /// Class scores (before softmax): the spatial mean of the logits layer.
    public func logits(of image: Tensor) throws -> [Float] {
        guard let layer = model.logitsLayer else { throw NetworkError.notAClassifier(model.name) }
        let a = try activations(of: image, layers: [layer])[0]
        let plane = a.shape[1] * a.shape[2]
        return (0..<a.shape[0]).map { c in
            var sum: Float = 0
            for i in (c * plane)..<((c + 1) * plane) { sum += a.data[i] }
            return sum / Float(plane)
        }
    }

    /// The k most probable classes (ImageNet indices), most probable first.
    public func classify(_ image: Tensor, top k: Int = 5) throws -> [(index: Int, probability: Float)] {
        let l = try logits(of: image)
        let top = l.max() ?? 0
        let e = l.map { Float(exp(Double($0 - top))) }
        let total = e.reduce(0, +)
        return e.indices.sorted { e[$0] > e[$1] }.prefix(k).map { ($0, e[$0] / total) }
    }

    func node(_ layer: String) throws -> Int {
        guard let i = model.graph.index(of: layer) else {
            throw NetworkError.unknownLayer(layer, model: model.name, layers: model.layers)
        }
        return i
    }

    /// RGB 0...255 -> the network's channel order, mean and scale.
    func normalise(_ image: Tensor) throws -> Tensor {
        guard image.shape.count == 3, image.shape[0] == 3 else { throw NetworkError.notAnRGBImage(image.shape) }
        let plane = image.shape[1] * image.shape[2]
        let input = model.input
        var x = Tensor(zeros: image.shape)
        for c in 0..<3 {
            let src = input.sourceChannel(c) * plane
            for i in 0..<plane { x.data[c * plane + i] = (image.data[src + i] - input.mean[c]) * input.scale[c] }
        }
        return x
    }

    /// d/d(image) from d/d(network input): undo the channel order and apply the scale.
    func denormaliseGradient(_ g: Tensor) -> Tensor {
        let plane = g.shape[1] * g.shape[2]
        let input = model.input
        var out = Tensor(zeros: g.shape)
        for c in 0..<3 {
            let dst = input.sourceChannel(c) * plane
            for i in 0..<plane { out.data[dst + i] = g.data[c * plane + i] * input.scale[c] }
        }
        return out
    }
}

public enum NetworkError: Error, CustomStringConvertible, Equatable {
    case unknownLayer(String, model: String, layers: [String])
    case notAClassifier(String)
    case notAnRGBImage([Int])

    public var description: String {
        switch self {
        case .unknownLayer(let layer, let model, let layers):
            return "\(model) has no layer '\(layer)'; choose one of: \(layers.joined(separator: ", "))"
        case .notAClassifier(let model):
            return "\(model) has no classifier; use squeezenet1_1 or mobilenet_v2 to classify"
        case .notAnRGBImage(let shape):
            return "expected an RGB image of shape [3, H, W], got \(shape)"
        }
    }
}
