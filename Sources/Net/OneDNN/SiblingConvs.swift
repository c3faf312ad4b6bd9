/// 1x1 convolutions that read the same input (Inception's towers start with them: three in each
/// mixed block) computed as one convolution with their output channels side by side, forward and
/// backward. Each sibling's output is its slice of the merged output, placed in the merged buffer as
/// `ConcatInPlace` places a concat's inputs, and its gradient likewise; the input's gradient comes
/// from one backward-data convolution instead of three plus two accumulating copies.
///
/// Each output channel is computed from the same weights and input as before, so the forward
/// activations are those of the separate convolutions; the input's gradient sums the same terms in
/// another order.
struct SiblingConvs {
    /// node -> every member of its group (ascending, two or more), for the nodes in a group.
    let groups: [Int: [Int]]

    init(graph: Graph) {
        var byInput: [Int: [Int]] = [:]
        for (i, node) in graph.nodes.enumerated() {
            guard case .conv(let c) = node.op, Self.mergeable(c), let x = node.inputs.first, x != 0 else { continue }
            byInput[x, default: []].append(i)
        }
        var groups: [Int: [Int]] = [:]
        for var members in byInput.values {
            // One activation for the whole merged convolution: group by it.
            members.sort()
            var byActivation: [Activation: [Int]] = [:]
            for m in members {
                guard case .conv(let c) = graph.nodes[m].op else { continue }
                byActivation[c.activation, default: []].append(m)
            }
            for g in byActivation.values where g.count > 1 {
                for m in g { groups[m] = g }
            }
        }
        self.groups = groups
    }

    static func mergeable(_ c: Conv) -> Bool {
        c.groups == 1 && c.kernelH == 1 && c.kernelW == 1 && c.strideH == 1 && c.strideW == 1 && c.padding == .zero
    }

    /// The members' convolutions as one: weights and biases stacked along the output channels.
    static func merged(_ convs: [Conv]) -> Conv {
        let inChannels = convs[0].weight.shape[1]
        var weight: [Float] = [], bias: [Float] = []
        for c in convs {
            precondition(c.weight.shape[1] == inChannels && mergeable(c), "sibling convolutions of different shapes")
            weight += c.weight.data
            bias += c.bias.data
        }
        return Conv(weight: Tensor(shape: [bias.count, inChannels, 1, 1], data: weight), bias: Tensor(shape: [bias.count], data: bias),
                    padding: .zero, activation: convs[0].activation, groups: 1)
    }
}
