/// One place for the sizes a graph's layers give: a convolution's output size (the reference
/// engine's ConvLayer, the oneDNN engine's SizePlan, StepCost and TiledNetwork/SplitEngine through
/// `shapes` use it), and which nodes an objective needs (`ancestors`, both the cost count and the
/// oneDNN plan). A pool's output size (with ceil mode) is `Pool.outputSize` in Graph.swift.
extension Conv {
    /// Output height and width for an input of height x width (floor rounding, as every framework
    /// does for convolutions). Not positive, or meaningless when `fits` is false: callers check.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + padding.top + padding.bottom - kernelH) / strideH + 1,
         (width + padding.left + padding.right - kernelW) / strideW + 1)
    }

    /// Whether the kernel fits inside the padded input at all (else there is no output).
    public func fits(height: Int, width: Int) -> Bool {
        height + padding.top + padding.bottom >= kernelH && width + padding.left + padding.right >= kernelW
    }
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
                let o = c.outputSize(height: x[1], width: x[2])
                shape = [c.outChannels, o.height, o.width]
                if !c.fits(height: x[1], width: x[2]) { shape[1] = 0 }
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
}
