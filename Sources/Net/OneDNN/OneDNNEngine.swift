import CDNNL
#if canImport(Glibc)
import Glibc
#endif

/// The fast engine: oneDNN 2.6 primitives in f32, activations kept in oneDNN's blocked layouts
/// between primitives. Computes only the gradient with respect to the input image (no weight
/// gradients). Primitives and activations are cached per input size (each octave is one size).
/// Not thread-safe: one engine per thread.
public final class OneDNNEngine: Engine {
    public let graph: Graph
    public let threads: Int
    public let algorithm: ConvolutionAlgorithm
    private let ctx: DNNLContext
    private let store: WeightStore
    private var plans: [Size: SizePlan] = [:]

    private struct Size: Hashable { var height: Int, width: Int }

    /// How 3x3 stride-1 convolutions are computed.
    public enum ConvolutionAlgorithm: Sendable {
        /// Exact to float rounding (gradients within ~1e-4 of the reference engine).
        case direct
        /// Winograd F(4x4, 3x3): fewer multiplications, gradients within ~1e-3 of the reference.
        case winograd
        /// Winograd on one thread, direct on more. Measured, Inception-v3 step to mixed_5 at 640x360:
        /// 1 thread ~143 ms Winograd vs ~183 ms direct; 2 threads on an idle host ~147 vs ~106 ms
        /// (oneDNN's Winograd kernel barely scales with threads).
        case fastest
    }

    public init(graph: Graph, threads: Int, algorithm: ConvolutionAlgorithm = .fastest) throws {
        guard threads > 0 else { throw OneDNNError.badThreadCount(threads) }
        for (i, node) in graph.nodes.enumerated() {
            if i == 0 {
                guard case .input = node.op else { throw OneDNNError.invalidGraph("node 0 '\(node.name)' is not the input") }
                continue
            }
            guard !node.inputs.isEmpty, node.inputs.allSatisfy({ $0 >= 0 && $0 < i }) else {
                throw OneDNNError.invalidGraph("node \(i) '\(node.name)' has inputs \(node.inputs); each must be an earlier node")
            }
        }
        // OMP_WAIT_POLICY=passive must be in the environment when the process starts (libgomp reads
        // it once, at load): the command re-executes itself to arrange that.
        self.graph = graph
        self.threads = threads
        self.algorithm = algorithm
        ctx = try DNNLContext()
        store = WeightStore(ctx)
    }

    /// The oneDNN implementation chosen for every primitive built so far (name and kernel), for
    /// diagnostics and tests.
    public var implementations: [(op: String, impl: String)] {
        plans.values.flatMap { $0.implementations }
    }

    private func plan(for input: Tensor) throws -> SizePlan {
        guard input.shape.count == 3, input.shape[0] == 3, input.shape[1] > 0, input.shape[2] > 0 else {
            throw EngineError.badInputShape(input.shape)
        }
        // The OpenMP thread count is per calling thread: set it on whichever thread runs us.
        omp_set_num_threads(Int32(threads))
        let size = Size(height: input.shape[1], width: input.shape[2])
        if let p = plans[size] { return p }
        let p = try SizePlan(graph: graph, height: size.height, width: size.width,
                                winograd: algorithm == .winograd || (algorithm == .fastest && threads == 1), ctx: ctx, store: store)
        plans[size] = p
        return p
    }

    private func checkNodes(_ nodes: [Int]) throws {
        for n in nodes where n < 0 || n >= graph.nodes.count {
            throw EngineError.nodeOutOfRange(n, count: graph.nodes.count)
        }
    }

    public func forward(_ input: Tensor, outputs: [Int]) throws -> [Tensor] {
        try checkNodes(outputs)
        if outputs.isEmpty { return [] }
        let plan = try plan(for: input)
        try plan.runForward(input, targets: outputs)
        return try outputs.map { i in
            let (p, shape) = try plan.plainOutput(i)
            return Tensor(shape: shape, data: Array(UnsafeBufferPointer(start: p, count: shape.reduce(1, *))))
        }
    }

    public func valueAndGradient(_ input: Tensor, terms: [(node: Int, weight: Float, channels: [Int]?)]) throws -> (value: Float, gradient: Tensor) {
        let targets = Array(Set(terms.map(\.node))).sorted()
        guard !targets.isEmpty else { throw EngineError.emptyObjective }
        try checkNodes(targets)
        let plan = try plan(for: input)
        try plan.runForward(input, targets: targets)

        var seeds: [Int: UnsafeMutablePointer<Float>] = [:]
        var activations: [Int: (pointer: UnsafeMutablePointer<Float>, shape: [Int])] = [:]
        for t in targets {
            seeds[t] = try plan.seed(t)
            activations[t] = try plan.plainOutput(t)
        }
        var value = 0.0
        for term in terms {
            // objective = weight * mean(a^2) over the selected channels; d/da = weight * 2a / N.
            let (a, shape) = activations[term.node]!
            let plane = shape[1] * shape[2]
            let channels = term.channels ?? Array(0..<shape[0])
            for c in channels where c < 0 || c >= shape[0] {
                throw EngineError.channelOutOfRange(node: graph.nodes[term.node].name, channel: c, channels: shape[0])
            }
            let n = Float(channels.count * plane)
            let g = seeds[term.node]!
            let scale = term.weight * 2 / n
            var sum = 0.0
            for c in channels {
                var s: Float = 0
                for k in c * plane ..< (c + 1) * plane {
                    let v = a[k]
                    s += v * v
                    g[k] += scale * v
                }
                sum += Double(s)
            }
            value += Double(term.weight) * sum / Double(n)
        }

        let grad = try plan.runBackward(targets: targets)
        return (Float(value), Tensor(shape: input.shape, data: Array(UnsafeBufferPointer(start: grad, count: input.count))))
    }
}
