/// The arithmetic of one dream step (forward to the objective's layers, then the gradient back to
/// the image), counted from the graph: what a benchmark divides by the time to get GFLOP/s.
/// Convolutions are counted (a multiply-add is 2 FLOP; a grouped one does 1/groups of a dense one's)
/// and residual additions (1 FLOP per element): pooling, ReLU and concatenation are memory-bound
/// and add well under 1%. No weight gradients: a dream step needs none.
public struct StepCost: Sendable, Equatable {
    /// Convolutions on the way to the objective's layers.
    public var forwardFLOP: Double
    /// The same convolutions' backward-data pass (gradient with respect to their input).
    public var backwardDataFLOP: Double

    public var totalFLOP: Double { forwardFLOP + backwardDataFLOP }
}

extension Graph {
    /// The cost of one dream step whose objective reads `targets`, for an input of height x width.
    public func stepCost(targets: [Int], height: Int, width: Int) throws -> StepCost {
        for t in targets where t < 0 || t >= nodes.count { throw EngineError.nodeOutOfRange(t, count: nodes.count) }
        let needed = ancestors(of: targets)
        // Shapes of the nodes after the deepest target are not needed and may not exist (too small).
        let deepest = targets.max() ?? 0
        let shapes = try self.shapes(height: height, width: width, through: deepest)
        var forward = 0.0
        var backward = 0.0
        for (i, node) in nodes[...deepest].enumerated() where needed[i] {
            let y = shapes[i]
            let outputs = Double(y[0] * y[1] * y[2])
            switch node.op {
            case .conv(let c):
                // Each output reads only its group's inputs: weight.shape[1] = inChannels / groups.
                let flop = 2 * outputs * Double(c.weight.shape[1] * c.kernelH * c.kernelW)
                forward += flop
                // Backward-data of a convolution does the same multiply-adds as its forward pass.
                backward += flop
            case .add:
                // One addition per output and extra input; its backward only copies.
                forward += outputs * Double(node.inputs.count - 1)
            case .input, .relu, .maxPool, .avgPool, .concat:
                break
            }
        }
        return StepCost(forwardFLOP: forward, backwardDataFLOP: backward)
    }
}
