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
    /// Which nodes `targets` depend on (targets included), by index.
    public func ancestors(of targets: [Int]) -> [Bool] {
        var needed = Array(repeating: false, count: nodes.count)
        var stack = targets
        while let i = stack.popLast() {
            if needed[i] { continue }
            needed[i] = true
            stack.append(contentsOf: nodes[i].inputs)
        }
        return needed
    }

    /// Output shape [C, H, W] of every node for an input of height x width, as the engines compute
    /// them; throws if some layer's output would be empty.
    /// With `through`, only nodes up to that index (deeper ones may not exist at this size).
    public func shapes(height: Int, width: Int, through last: Int? = nil) throws -> [[Int]] {
        var shapes: [[Int]] = []
        for node in nodes[...min(last ?? nodes.count - 1, nodes.count - 1)] {
            let x = node.inputs.first.map { shapes[$0] } ?? [3, height, width]
            var shape: [Int]
            switch node.op {
            case .input:
                shape = [3, height, width]
            case .conv(let c):
                let p = c.padding
                shape = [c.outChannels,
                         (x[1] + p.top + p.bottom - c.kernelH) / c.strideH + 1,
                         (x[2] + p.left + p.right - c.kernelW) / c.strideW + 1]
                if x[1] + p.top + p.bottom < c.kernelH || x[2] + p.left + p.right < c.kernelW { shape[1] = 0 }
            case .relu, .add:
                shape = x
            case .maxPool(let pool), .avgPool(let pool):
                let p = pool.padding
                let h = pool.outputSize(input: x[1], kernel: pool.kernelH, stride: pool.strideH, padBefore: p.top, padAfter: p.bottom).size
                let w = pool.outputSize(input: x[2], kernel: pool.kernelW, stride: pool.strideW, padBefore: p.left, padAfter: p.right).size
                shape = [x[0], h, w]
                if x[1] + p.top + p.bottom < pool.kernelH || x[2] + p.left + p.right < pool.kernelW { shape[1] = 0 }
            case .concat:
                shape = [node.inputs.reduce(0) { $0 + shapes[$1][0] }, x[1], x[2]]
            }
            guard shape[1] > 0, shape[2] > 0 else { throw EngineError.inputTooSmall(node: node.name, shape: shape) }
            shapes.append(shape)
        }
        return shapes
    }

    /// The largest product of strides from the input to any node (32 for Inception-v3): shifting
    /// the image by a multiple of it shifts every layer's activations by whole cells.
    public var totalStride: Int {
        var stride = Array(repeating: 1, count: nodes.count)
        for (i, node) in nodes.enumerated() {
            let before = node.inputs.map { stride[$0] }.max() ?? 1
            switch node.op {
            case .conv(let c): stride[i] = before * max(c.strideH, c.strideW)
            case .maxPool(let p), .avgPool(let p): stride[i] = before * max(p.strideH, p.strideW)
            case .input, .relu, .concat, .add: stride[i] = before
            }
        }
        return stride.max() ?? 1
    }

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
