import CDNNL
#if canImport(Glibc)
import Glibc
#endif

/// The fast engine: oneDNN 2.6 primitives in f32 or bf16, activations kept in oneDNN's blocked layouts
/// between primitives. Computes only the gradient with respect to the input image (no weight
/// gradients). Primitives and activations are cached per input size (each octave is one size).
/// Not thread-safe: one engine per thread.
public final class OneDNNEngine: Engine {
    public let graph: Graph
    public let threads: Int
    public let algorithm: ConvolutionAlgorithm
    public let precision: Precision
    private let ctx: DNNLContext
    private let store: WeightStore
    private var plans: [Size: SizePlan] = [:]

    private struct Size: Hashable { var height: Int, width: Int, threads: Int }

    /// How 3x3 stride-1 convolutions are computed.
    public enum ConvolutionAlgorithm: Sendable {
        /// Exact to float rounding (gradients within ~1e-4 of the reference engine).
        case direct
        /// Winograd F(4x4, 3x3): fewer multiplications, gradients within ~1e-3 of the reference.
        case winograd
        /// Per layer, shape, size and thread count, whichever the ConvolutionTuner timed faster on this
        /// machine (cached on disk). The winner differs between CPUs: on a Zen 5 host Winograd won on
        /// 1 thread and direct on 2; on a Zen 4 host Winograd won on 2 threads too.
        case fastest
    }

    /// With `.bf16`, `algorithm` is ignored: oneDNN has only direct bf16 convolutions.
    /// Chooses each convolution's algorithm with `.fastest` (by default the machine's cache file).
    public let tuner: ConvolutionTuner?

    public init(graph: Graph, threads: Int, algorithm: ConvolutionAlgorithm = .fastest, precision: Precision = .f32,
                tuner: ConvolutionTuner? = nil) throws {
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
        // How OpenMP threads wait (OMP_WAIT_POLICY, GOMP_SPINCOUNT) must be in the environment when the
        // process starts (libgomp reads it once, at load): the command re-executes itself to arrange that.
        self.graph = graph
        self.threads = threads
        self.algorithm = algorithm
        self.precision = precision
        self.tuner = algorithm == .fastest ? tuner ?? ConvolutionTuner.forThisMachine() : nil
        ctx = try DNNLContext()
        store = WeightStore(ctx)
    }

    /// The oneDNN implementation chosen for every primitive built so far (name and kernel), for
    /// diagnostics and tests.
    public var implementations: [(op: String, impl: String)] {
        plans.values.flatMap { $0.implementations }
    }

    /// `threads` (default: the engine's) is the OpenMP thread count of this call; plans are kept per
    /// size and thread count, as oneDNN sizes its work for the threads present when it is built.
    private func plan(for input: Tensor, threads: Int? = nil) throws -> SizePlan {
        let threads = threads ?? self.threads
        guard input.shape.count == 3, input.shape[0] == 3, input.shape[1] > 0, input.shape[2] > 0 else {
            throw EngineError.badInputShape(input.shape)
        }
        // The OpenMP thread count is per calling thread: set it on whichever thread runs us.
        omp_set_num_threads(Int32(threads))
        let size = Size(height: input.shape[1], width: input.shape[2], threads: threads)
        if let p = plans[size] { return p }
        let p = try SizePlan(graph: graph, height: size.height, width: size.width, algorithm: algorithm, tuner: tuner,
                             threads: threads, precision: precision, ctx: ctx, store: store)
        plans[size] = p
        return p
    }

    /// Drops the work built for this size and thread count (its memory goes back).
    func forget(height: Int, width: Int, threads: Int) {
        plans[Size(height: height, width: width, threads: threads)] = nil
    }

    private func checkNodes(_ nodes: [Int]) throws {
        for n in nodes where n < 0 || n >= graph.nodes.count {
            throw EngineError.nodeOutOfRange(n, count: graph.nodes.count)
        }
    }

    public func forward(_ input: Tensor, outputs: [Int]) throws -> [Tensor] {
        try forward(input, outputs: outputs, threads: nil)
    }

    /// `threads` (default: the engine's) as in `valueAndGradient(_:terms:threads:region:)`.
    func forward(_ input: Tensor, outputs: [Int], threads: Int?) throws -> [Tensor] {
        try checkNodes(outputs)
        if outputs.isEmpty { return [] }
        let plan = try plan(for: input, threads: threads)
        try plan.runForward(input, targets: outputs)
        return try outputs.map { i in
            let (p, shape) = try plan.plainOutput(i)
            return Tensor(shape: shape, data: Array(UnsafeBufferPointer(start: p, count: shape.reduce(1, *))))
        }
    }

    public func valueAndGradient(_ input: Tensor, terms: [(node: Int, weight: Float, channels: [Int]?)]) throws -> (value: Float, gradient: Tensor) {
        try valueAndGradient(input, terms: terms, region: nil)
    }

    /// The part of a target's activation that an objective term counts, and the positions its mean
    /// divides by: a strip of a larger image (SplitEngine) counts only the positions it owns, divided
    /// by the whole image's count, so that the strips' values and gradients add up to the whole's.
    typealias Region = ActivationRegion

    /// `region(node, height, width)` gives the counted part of a target of that activation size;
    /// nil counts every position.
    func valueAndGradient(_ input: Tensor, terms: [(node: Int, weight: Float, channels: [Int]?)], threads: Int? = nil,
                          region: ((Int, Int, Int) -> Region)?) throws -> (value: Float, gradient: Tensor) {
        let targets = Array(Set(terms.map(\.node))).sorted()
        guard !targets.isEmpty else { throw EngineError.emptyObjective }
        try checkNodes(targets)
        let plan = try plan(for: input, threads: threads)
        try plan.runForward(input, targets: targets)

        var seeds: [Int: UnsafeMutablePointer<Float>] = [:]
        var activations: [Int: (pointer: UnsafeMutablePointer<Float>, shape: [Int])] = [:]
        for t in targets {
            seeds[t] = try plan.seed(t)
            activations[t] = try plan.plainOutput(t)
        }
        var value = 0.0
        for term in terms {
            let (a, shape) = activations[term.node]!
            let r = region?(term.node, shape[1], shape[2]) ?? .whole(height: shape[1], width: shape[2])
            value += try addObjectiveTerm(weight: term.weight, channels: term.channels, activation: a, shape: shape, region: r,
                                          nodeName: graph.nodes[term.node].name, into: seeds[term.node]!)
        }

        let gradient = try [Float](unsafeUninitializedCapacity: input.count) { buffer, count in
            try plan.runBackward(targets: targets, into: buffer)
            count = buffer.count
        }
        return (Float(value), Tensor(shape: input.shape, data: gradient))
    }
}
