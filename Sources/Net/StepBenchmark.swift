import Foundation

/// Times dream steps (forward to the objective's layers, objective, gradient to the image) of a
/// network at one image size: one warm-up step, which also builds the engine's per-size work, then
/// `iterations` timed steps.
public struct StepBenchmark: Sendable {
    public var objective: Objective
    public var iterations: Int

    public init(objective: Objective, iterations: Int) {
        self.objective = objective
        self.iterations = iterations
    }

    public struct Result: Sendable {
        /// The warm-up step, which includes building primitives for the size.
        public var firstSeconds: Double
        /// Each timed step, in the order run.
        public var seconds: [Double]
        /// FLOP per step, counted from the graph.
        public var cost: StepCost
        /// Mean |gradient| of the last step: lets runs in different precisions be compared.
        public var meanAbsGradient: Double

        public var median: Double {
            let s = seconds.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        public var minimum: Double { seconds.min() ?? .nan }
        /// Achieved GFLOP/s at the median time.
        public var gflopsPerSecond: Double { cost.totalFLOP / median / 1e9 }
    }

    public func run(_ network: Network, image: Tensor) throws -> Result {
        precondition(iterations >= 1, "at least one timed iteration")
        let targets = try objective.terms.map { try network.node($0.layer) }
        let cost = try network.model.graph.stepCost(targets: targets, height: image.shape[1], width: image.shape[2])
        let clock = ContinuousClock()
        var gradient = Tensor(zeros: [0])
        let first = try clock.measure { gradient = try network.gradient(of: objective, at: image).gradient }
        var times: [Double] = []
        for _ in 0..<iterations {
            let t = try clock.measure { gradient = try network.gradient(of: objective, at: image).gradient }
            times.append(t.seconds)
        }
        let meanAbs = gradient.data.reduce(0.0) { $0 + Double(abs($1)) } / Double(max(1, gradient.count))
        return Result(firstSeconds: first.seconds, seconds: times, cost: cost, meanAbsGradient: meanAbs)
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
