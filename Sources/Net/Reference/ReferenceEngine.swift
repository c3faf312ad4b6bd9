/// Executes a Graph with the plain loops of the *Layer.swift files beside it: slow, obviously
/// correct, and what the tests and the oneDNN engine are checked against.
public final class ReferenceEngine: Engine {
    public let graph: Graph

    public init(graph: Graph) {
        self.graph = graph
    }

    public func forward(_ input: Tensor, outputs: [Int]) throws -> [Tensor] {
        for i in outputs where i < 0 || i >= graph.nodes.count {
            throw EngineError.nodeOutOfRange(i, count: graph.nodes.count)
        }
        let acts = try run(input, through: outputs.max() ?? 0)
        return outputs.map { acts[$0] }
    }

    public func valueAndGradient(_ input: Tensor, terms: [(node: Int, weight: Float, channels: [Int]?)]) throws -> (value: Float, gradient: Tensor) {
        guard let deepest = terms.map(\.node).max() else { throw EngineError.emptyObjective }
        for t in terms where t.node < 0 || t.node >= graph.nodes.count {
            throw EngineError.nodeOutOfRange(t.node, count: graph.nodes.count)
        }
        let acts = try run(input, through: deepest)

        // The objective's value and its gradient seed (ObjectiveSeed.swift, shared with oneDNN).
        var grads = [Tensor?](repeating: nil, count: deepest + 1)
        var value = 0.0
        for t in terms {
            let a = acts[t.node]
            var g = grads[t.node] ?? Tensor(zeros: a.shape)
            value += try a.data.withUnsafeBufferPointer { ap in
                try g.data.withUnsafeMutableBufferPointer { gp in
                    try addObjectiveTerm(weight: t.weight, channels: t.channels, activation: ap.baseAddress!, shape: a.shape,
                                         region: .whole(height: a.shape[1], width: a.shape[2]),
                                         nodeName: graph.nodes[t.node].name, into: gp.baseAddress!)
                }
            }
            grads[t.node] = g
        }

        // Backward in reverse topological order; nodes off every path to a term keep a nil gradient.
        for n in stride(from: deepest, to: 0, by: -1) {
            guard let dy = grads[n] else { continue }
            let node = graph.nodes[n]
            let inputGrads = backward(node, dy: dy, y: acts[n], inputs: node.inputs.map { acts[$0] })
            for (j, dx) in zip(node.inputs, inputGrads) {
                if var acc = grads[j] {
                    grads[j] = nil   // the only reference left, so the sum happens in place
                    for i in 0..<acc.count { acc.data[i] += dx.data[i] }
                    grads[j] = acc
                } else {
                    grads[j] = dx
                }
            }
            grads[n] = nil
        }
        return (Float(value), grads[0] ?? Tensor(zeros: input.shape))
    }

    /// Activations of nodes 0...last (later ones are not computed).
    private func run(_ input: Tensor, through last: Int) throws -> [Tensor] {
        guard input.shape.count == 3, input.shape[0] == 3 else { throw EngineError.badInputShape(input.shape) }
        var acts: [Tensor] = [input]
        acts.reserveCapacity(last + 1)
        for n in stride(from: 1, through: last, by: 1) {
            let node = graph.nodes[n]
            let xs = node.inputs.map { acts[$0] }
            let y = forward(node, xs)
            if y.shape.contains(where: { $0 <= 0 }) {
                throw EngineError.inputTooSmall(node: node.name, shape: y.shape)
            }
            acts.append(y)
        }
        return acts
    }

    private func forward(_ node: Node, _ xs: [Tensor]) -> Tensor {
        switch node.op {
        case .input: return xs[0]
        case .conv(let c): return convForward(xs[0], c)
        case .relu: return reluForward(xs[0])
        case .maxPool(let p): return maxPoolForward(xs[0], p)
        case .avgPool(let p): return avgPoolForward(xs[0], p)
        case .concat: return concatForward(xs)
        case .add: return addForward(xs)
        }
    }

    /// Gradients with respect to each of the node's inputs.
    private func backward(_ node: Node, dy: Tensor, y: Tensor, inputs xs: [Tensor]) -> [Tensor] {
        switch node.op {
        case .input: return [dy]
        case .conv(let c): return [convBackward(dy, y: y, inputShape: xs[0].shape, c)]
        case .relu: return [reluBackward(dy, y: y)]
        case .maxPool(let p): return [maxPoolBackward(dy, x: xs[0], p)]
        case .avgPool(let p): return [avgPoolBackward(dy, inputShape: xs[0].shape, p)]
        case .concat: return concatBackward(dy, inputShapes: xs.map(\.shape))
        case .add: return addBackward(dy, inputCount: xs.count)
        }
    }
}
