import XCTest
import Net
import TestSupport

/// The oneDNN engine against the reference engine on MobileNetV2's building blocks: depthwise
/// convolutions, ReLU6 fused into convolutions, and residual adds, in f32 and bf16, forward and
/// image gradient, on random tensors whose activations cross 6 (so ReLU6 clips).
final class OneDNNMobileBlockTests: XCTestCase {
    typealias Terms = [(node: Int, weight: Float, channels: [Int]?)]

    /// A stem, an inverted residual block with stride 1 (1x1 expand + ReLU6, 3x3 depthwise + ReLU6,
    /// 1x1 project, add the block input) and one with stride 2 (no add), as in MobileNetV2.
    static func blocks() -> Graph {
        var rng = SplitMix(seed: 21)
        var g = Graph()
        let stem = g.add("stem", .conv(rng.conv(24, 3, 3, padding: Padding(1), activation: .relu6, scale: 3)), [0])
        let e1 = g.add("expand1", .conv(rng.conv(144, 24, 1, activation: .relu6, scale: 0.5)), [stem])
        let d1 = g.add("dw1", .conv(rng.conv(144, 1, 3, groups: 144, padding: Padding(1), activation: .relu6, scale: 1.2)), [e1])
        let p1 = g.add("project1", .conv(rng.conv(24, 144, 1, activation: .none, scale: 0.3)), [d1])
        let a1 = g.add("add1", .add, [p1, stem])
        let e2 = g.add("expand2", .conv(rng.conv(144, 24, 1, activation: .relu6, scale: 0.3)), [a1])
        let d2 = g.add("dw2", .conv(rng.conv(144, 1, 3, groups: 144, stride: 2, padding: Padding(1), activation: .relu6, scale: 1.2)), [e2])
        g.add("project2", .conv(rng.conv(32, 144, 1, activation: .none, scale: 0.3)), [d2])
        return g
    }

    func maxRelativeDiff(_ a: Tensor, _ b: Tensor) -> Float {
        let scale = max(b.data.map(abs).max() ?? 0, 1e-20)
        return (zip(a.data, b.data).map { abs($0 - $1) }.max() ?? 0) / scale
    }

    func cosine(_ a: Tensor, _ b: Tensor) -> Double {
        let dot = zip(a.data, b.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let na = a.data.reduce(0.0) { $0 + Double($1 * $1) }, nb = b.data.reduce(0.0) { $0 + Double($1 * $1) }
        return dot / (na * nb).squareRoot()
    }

    /// Every node's output and the gradient of `terms`: within `tolerance` of the reference (max
    /// difference over max magnitude), and for the gradient a cosine above `minCosine`.
    func compare(_ graph: Graph, input shape: [Int], terms: Terms, fast: OneDNNEngine, tolerance: Float, gradientTolerance: Float,
                 minCosine: Double, file: StaticString = #filePath, line: UInt = #line) throws {
        var rng = SplitMix(seed: 5)
        let x = rng.tensor(shape)
        let ref = ReferenceEngine(graph: graph)
        let nodes = Array(1..<graph.nodes.count)
        let a = try fast.forward(x, outputs: nodes)
        let b = try ref.forward(x, outputs: nodes)
        let what = "\(fast.precision) \(fast.algorithm)"
        for (k, n) in nodes.enumerated() {
            XCTAssertEqual(a[k].shape, b[k].shape, file: file, line: line)
            XCTAssertLessThanOrEqual(maxRelativeDiff(a[k], b[k]), tolerance, "forward of \(graph.nodes[n].name) (\(what))", file: file, line: line)
            if case .conv(let c) = graph.nodes[n].op, c.activation == .relu6 {
                XCTAssertGreaterThan(b[k].data.filter { $0 == 6 }.count, 0, "\(graph.nodes[n].name): ReLU6 never clips", file: file, line: line)
                XCTAssertGreaterThan(b[k].data.filter { $0 > 0 && $0 < 6 }.count, 0, "\(graph.nodes[n].name): ReLU6 only clips", file: file, line: line)
            }
        }
        let (va, ga) = try fast.valueAndGradient(x, terms: terms)
        let (vb, gb) = try ref.valueAndGradient(x, terms: terms)
        XCTAssertEqual(va, vb, accuracy: tolerance * abs(vb), "objective value (\(what))", file: file, line: line)
        XCTAssertGreaterThan(gb.data.map(abs).max() ?? 0, 1e-6, "the reference gradient is zero: nothing is checked", file: file, line: line)
        XCTAssertLessThanOrEqual(maxRelativeDiff(ga, gb), gradientTolerance, "input gradient (\(what))", file: file, line: line)
        XCTAssertGreaterThan(cosine(ga, gb), minCosine, "cosine of the input gradients (\(what))", file: file, line: line)
        for (op, impl) in fast.implementations {
            XCTAssertFalse(impl.hasPrefix("ref"), "\(op) uses reference kernel \(impl)", file: file, line: line)
        }
    }

    func testBlocksF32() throws {
        let g = Self.blocks()
        // Objective on both blocks: the stride-1 block's add and the stride-2 block's output.
        let terms: Terms = [(g.index(of: "project2")!, 1, nil), (g.index(of: "add1")!, 0.5, [0, 5, 17])]
        for algorithm in [OneDNNEngine.ConvolutionAlgorithm.direct, .winograd] {
            let engine = try OneDNNEngine(graph: g, threads: 1, algorithm: algorithm)
            try compare(g, input: [3, 15, 13], terms: terms, fast: engine, tolerance: 1e-4, gradientTolerance: 1e-4, minCosine: 0.99999)
        }
    }

    func testBlocksBF16() throws {
        let g = Self.blocks()
        let terms: Terms = [(g.index(of: "project2")!, 1, nil), (g.index(of: "add1")!, 0.5, [0, 5, 17])]
        let engine = try OneDNNEngine(graph: g, threads: 2, precision: .bf16)
        // Measured: forward within 0.026, gradient within 0.11 (cosine 0.993): ReLU6 kinks, as below.
        try compare(g, input: [3, 15, 13], terms: terms, fast: engine, tolerance: 0.05, gradientTolerance: 0.3, minCosine: 0.98)
        XCTAssertTrue(engine.implementations.contains { $0.op.hasPrefix("convolution") && $0.impl.contains("bf16") },
                      "no convolution ran in bf16: \(engine.implementations.map(\.impl))")
    }

    /// The depthwise convolutions run on oneDNN's depthwise kernels, not a generic one.
    func testDepthwiseKernels() throws {
        let g = Self.blocks()
        for precision in [Precision.f32, .bf16] {
            let engine = try OneDNNEngine(graph: g, threads: 1, precision: precision)
            _ = try engine.valueAndGradient(Tensor(zeros: [3, 15, 13]), terms: [(g.nodes.count - 1, 1, nil)])
            let dw = engine.implementations.filter { $0.op.contains("'dw") && $0.op.hasPrefix("convolution") }
            XCTAssertEqual(dw.count, 4, "\(precision): \(dw)")
            for (op, impl) in dw {
                XCTAssertTrue(impl.contains("dw"), "\(precision) \(op) runs on \(impl)")
            }
        }
    }

    /// An input used twice by one add and once by a convolution: its gradient collects all three.
    func testAddWithRepeatedInputAndImage() throws {
        var rng = SplitMix(seed: 8)
        var g = Graph()
        let a = g.add("a", .conv(rng.conv(16, 3, 3, padding: Padding(1), activation: .relu6, scale: 4)), [0])
        let b = g.add("b", .conv(rng.conv(16, 16, 1, activation: .none, scale: 0.3)), [a])
        let s = g.add("sum", .add, [a, b, a])
        let c = g.add("c", .conv(rng.conv(3, 16, 1, activation: .none, scale: 0.2)), [s])
        g.add("plus_image", .add, [c, 0])
        for precision in [Precision.f32, .bf16] {
            let engine = try OneDNNEngine(graph: g, threads: 1, algorithm: .direct, precision: precision)
            let f32 = precision == .f32
            // bf16: rounding moves some of a's many values near 0 and 6 across ReLU6's kinks, each
            // flip switching a whole path of the gradient on or off. Measured: cosine 0.981.
            try compare(g, input: [3, 11, 10], terms: [(g.nodes.count - 1, 1, nil), (s, 0.2, nil)], fast: engine,
                        tolerance: f32 ? 1e-4 : 0.05, gradientTolerance: f32 ? 1e-4 : 0.6, minCosine: f32 ? 0.99999 : 0.95)
        }
    }

    /// A grouped (not depthwise) convolution: two groups of 32 channels.
    func testTwoGroupConvolution() throws {
        var rng = SplitMix(seed: 9)
        var g = Graph()
        let a = g.add("a", .conv(rng.conv(64, 3, 3, padding: Padding(1), activation: .relu, scale: 1)), [0])
        g.add("g2", .conv(rng.conv(64, 32, 3, groups: 2, stride: 2, padding: Padding(1), activation: .relu6, scale: 0.4)), [a])
        let engine = try OneDNNEngine(graph: g, threads: 1, algorithm: .direct)
        try compare(g, input: [3, 12, 14], terms: [(2, 1, nil)], fast: engine, tolerance: 1e-4, gradientTolerance: 1e-4, minCosine: 0.99999)
    }
}
