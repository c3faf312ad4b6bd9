/// A network as a list of nodes in topological order. Node 0 is the (already normalised) input,
/// shape [3, H, W]. Each node names its inputs by index. Backends execute this description; the
/// networks in Networks/ build it from their weights.
public struct Graph: Sendable {
    public var nodes: [Node]

    public init(nodes: [Node] = [Node(name: "input", op: .input, inputs: [])]) {
        self.nodes = nodes
    }

    /// Appends a node and returns its index.
    @discardableResult
    public mutating func add(_ name: String, _ op: Op, _ inputs: [Int]) -> Int {
        nodes.append(Node(name: name, op: op, inputs: inputs))
        return nodes.count - 1
    }

    public func index(of name: String) -> Int? { nodes.firstIndex { $0.name == name } }
}

public struct Node: Sendable {
    public var name: String
    public var op: Op
    public var inputs: [Int]
    public init(name: String, op: Op, inputs: [Int]) {
        self.name = name; self.op = op; self.inputs = inputs
    }
}

public enum Op: Sendable {
    case input
    /// y = activation(conv(x, weight) + bias) (the activation fused, so backends may use a post-op).
    case conv(Conv)
    case relu
    case maxPool(Pool)
    case avgPool(Pool)
    /// Concatenation of all inputs along channels, in input order.
    case concat
    /// Elementwise sum of all inputs (same shape): residual connections.
    case add
}

/// What follows a convolution, fused into it.
public enum Activation: Sendable, Equatable {
    case none
    /// max(x, 0)
    case relu
    /// min(max(x, 0), 6), as in MobileNetV2.
    case relu6
}

/// Padding as (top, left, bottom, right): Inception-v3 has asymmetric 1x7 / 7x1 kernels.
public struct Padding: Sendable, Equatable {
    public var top, left, bottom, right: Int
    public init(top: Int, left: Int, bottom: Int, right: Int) {
        self.top = top; self.left = left; self.bottom = bottom; self.right = right
    }
    public init(_ all: Int) { self.init(top: all, left: all, bottom: all, right: all) }
    public init(h: Int, w: Int) { self.init(top: h, left: w, bottom: h, right: w) }
    public static let zero = Padding(0)
}

public struct Conv: Sendable {
    public var weight: Tensor          // [out, in / groups, kh, kw]
    public var bias: Tensor            // [out]
    public var strideH: Int, strideW: Int
    public var padding: Padding
    public var activation: Activation
    /// Input and output channels split into this many independent groups (depthwise: groups ==
    /// channels). Both channel counts are divisible by it.
    public var groups: Int

    public init(weight: Tensor, bias: Tensor, strideH: Int = 1, strideW: Int = 1,
                padding: Padding = .zero, relu: Bool = true) {
        self.init(weight: weight, bias: bias, strideH: strideH, strideW: strideW, padding: padding,
                  activation: relu ? .relu : .none, groups: 1)
    }

    public init(weight: Tensor, bias: Tensor, strideH: Int = 1, strideW: Int = 1,
                padding: Padding = .zero, activation: Activation = .relu, groups: Int = 1) {
        precondition(groups > 0 && weight.shape[0] % groups == 0,
                     "conv with \(weight.shape[0]) outputs cannot be split into \(groups) groups")
        self.weight = weight; self.bias = bias
        self.strideH = strideH; self.strideW = strideW
        self.padding = padding; self.activation = activation; self.groups = groups
    }

    public var outChannels: Int { weight.shape[0] }
    /// The input's channel count (all groups).
    public var inChannels: Int { weight.shape[1] * groups }
    public var kernelH: Int { weight.shape[2] }
    public var kernelW: Int { weight.shape[3] }
}

public struct Pool: Sendable {
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var padding: Padding
    /// Caffe-style ceil rounding of the output size (extra padding on the bottom/right).
    public var ceilMode: Bool
    /// For average pooling: whether padded zeros count in the divisor.
    public var countIncludePad: Bool

    public init(kernel: Int, stride: Int, padding: Padding = .zero, ceilMode: Bool = false,
                countIncludePad: Bool = false) {
        self.kernelH = kernel; self.kernelW = kernel
        self.strideH = stride; self.strideW = stride
        self.padding = padding; self.ceilMode = ceilMode; self.countIncludePad = countIncludePad
    }

    /// Output size along one axis, and the extra bottom/right padding that ceil mode implies.
    public func outputSize(input: Int, kernel: Int, stride: Int, padBefore: Int, padAfter: Int) -> (size: Int, extra: Int) {
        let span = input + padBefore + padAfter - kernel
        var size = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
        // As in PyTorch: the last window must start inside the input or the left padding.
        if ceilMode && (size - 1) * stride >= input + padBefore { size -= 1 }
        let extra = max(0, (size - 1) * stride + kernel - (input + padBefore + padAfter))
        return (size, extra)
    }
}
