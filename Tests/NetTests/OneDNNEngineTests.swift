import XCTest
import Net
import TestSupport

/// The oneDNN engine against the plain-Swift ReferenceEngine, op by op and on small graphs that
/// mix them: forward activations and the input gradient, on random tensors.
final class OneDNNEngineTests: XCTestCase {
    typealias Terms = [(node: Int, weight: Float, channels: [Int]?)]

    /// Largest difference relative to the reference's largest magnitude.
    func assertClose(_ a: Tensor, _ b: Tensor, tolerance: Float = 2e-5, _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, what, file: file, line: line)
        guard a.shape == b.shape else { return }
        let scale = max(b.data.map(abs).max() ?? 0, 1e-20)
        let diff = zip(a.data, b.data).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(diff / scale, tolerance, "\(what): max |diff| \(diff), scale \(scale)", file: file, line: line)
        XCTAssertGreaterThan(scale, 1e-12, "\(what) is all zeros: the test checks nothing", file: file, line: line)
    }

    /// Runs both engines on `graph` at `shape` and compares every node's output and the gradient of
    /// `terms` (default: mean square of the last node).
    /// With no engine given, runs it twice: direct and Winograd convolutions.
    func compare(_ graph: Graph, input shape: [Int], terms: Terms? = nil, seed: UInt64 = 1, engine: OneDNNEngine? = nil,
                 file: StaticString = #filePath, line: UInt = #line) throws {
        if let engine {
            return try compare(graph, input: shape, terms: terms, seed: seed, fast: engine, file: file, line: line)
        }
        for algorithm in [OneDNNEngine.ConvolutionAlgorithm.direct, .winograd] {
            try compare(graph, input: shape, terms: terms, seed: seed,
                        fast: OneDNNEngine(graph: graph, threads: 1, algorithm: algorithm), file: file, line: line)
        }
    }

    func compare(_ graph: Graph, input shape: [Int], terms: Terms?, seed: UInt64, fast: OneDNNEngine,
                 file: StaticString, line: UInt) throws {
        var rng = SplitMix(seed: seed)
        let x = rng.tensor(shape)
        // Winograd transforms round differently: a looser bound there.
        let tolerance: Float = fast.algorithm == .direct ? 2e-5 : 5e-4
        let ref = ReferenceEngine(graph: graph)
        let nodes = Array(1..<graph.nodes.count)
        let a = try fast.forward(x, outputs: nodes)
        let b = try ref.forward(x, outputs: nodes)
        for (k, n) in nodes.enumerated() {
            assertClose(a[k], b[k], tolerance: tolerance, "forward of \(graph.nodes[n].name) (\(fast.algorithm))", file: file, line: line)
        }
        let t = terms ?? [(graph.nodes.count - 1, 1, nil)]
        let (va, ga) = try fast.valueAndGradient(x, terms: t)
        let (vb, gb) = try ref.valueAndGradient(x, terms: t)
        XCTAssertEqual(va, vb, accuracy: tolerance * max(abs(vb), 1e-6), "objective value (\(fast.algorithm))", file: file, line: line)
        assertClose(ga, gb, tolerance: tolerance, "input gradient (\(fast.algorithm))", file: file, line: line)
        for (op, impl) in fast.implementations {
            XCTAssertFalse(impl.hasPrefix("ref"), "\(op) uses reference kernel \(impl)", file: file, line: line)
        }
    }

    var rng = SplitMix(seed: 42)

    func conv(_ out: Int, _ inp: Int, _ kh: Int, _ kw: Int, stride: Int = 1, padding: Padding = .zero, relu: Bool = true) -> Op {
        let fan = Float(inp * kh * kw)
        return .conv(Conv(weight: rng.tensor([out, inp, kh, kw], scale: 1.5 / fan.squareRoot()), bias: rng.tensor([out], scale: 0.1),
                          strideH: stride, strideW: stride, padding: padding, relu: relu))
    }

    // MARK: single ops

    func testFirstConvolutionWithReLU() throws {
        // 3 input channels from the plain image: the case whose backward-data falls back to "ref".
        var g = Graph()
        g.add("conv", conv(32, 3, 3, 3, stride: 2), [0])
        try compare(g, input: [3, 23, 19])
    }

    func testConvolutionWithoutReLUAsymmetricPadding() throws {
        var g = Graph()
        let a = g.add("stem", conv(16, 3, 3, 3, padding: Padding(1)), [0])
        let b = g.add("1x7", conv(24, 16, 1, 7, padding: Padding(h: 0, w: 3), relu: false), [a])
        let c = g.add("7x1", conv(32, 24, 7, 1, padding: Padding(h: 3, w: 0)), [b])
        g.add("strided", conv(16, 32, 3, 3, stride: 2, padding: Padding(top: 1, left: 0, bottom: 0, right: 1), relu: false), [c])
        try compare(g, input: [3, 17, 21])
    }

    func testWinogradConvolutions() throws {
        // Big enough for oneDNN's Winograd kernel; the relu-free middle layer checks the plain case.
        var g = Graph()
        let a = g.add("stem", conv(32, 3, 3, 3, padding: Padding(1)), [0])
        let b = g.add("wino1", conv(32, 32, 3, 3, padding: Padding(1), relu: false), [a])
        g.add("wino2", conv(48, 32, 3, 3, padding: Padding(1)), [b])
        let engine = try OneDNNEngine(graph: g, threads: 1, algorithm: .winograd)
        try compare(g, input: [3, 36, 44], engine: engine)
        XCTAssertTrue(engine.implementations.contains { $0.impl.contains("wino") }, "\(engine.implementations)")
        let direct = try OneDNNEngine(graph: g, threads: 1, algorithm: .direct)
        try compare(g, input: [3, 36, 44], engine: direct)
        XCTAssertFalse(direct.implementations.contains { $0.impl.contains("wino") })
    }

    func testStandaloneReLU() throws {
        var g = Graph()
        let a = g.add("linear", conv(16, 3, 3, 3, padding: Padding(1), relu: false), [0])
        g.add("relu", .relu, [a])
        try compare(g, input: [3, 12, 10])
    }

    func testReLUOnTheImage() throws {
        var g = Graph()
        let a = g.add("relu", .relu, [0])
        g.add("conv", conv(8, 3, 3, 3), [a])
        try compare(g, input: [3, 9, 9])
    }

    func testMaxPoolCeilMode() throws {
        // 3x3 stride 2 on 20 rows: floor gives 9, ceil 10 (one extra row of padding at the bottom).
        var g = Graph()
        let a = g.add("conv", conv(16, 3, 3, 3, padding: Padding(1), relu: false), [0])
        g.add("pool", .maxPool(Pool(kernel: 3, stride: 2, ceilMode: true)), [a])
        let p = Pool(kernel: 3, stride: 2, ceilMode: true)
        XCTAssertGreaterThan(p.outputSize(input: 20, kernel: 3, stride: 2, padBefore: 0, padAfter: 0).extra, 0)
        try compare(g, input: [3, 20, 15])
    }

    func testMaxPoolPadded() throws {
        var g = Graph()
        let a = g.add("conv", conv(16, 3, 3, 3, relu: false), [0])
        g.add("pool", .maxPool(Pool(kernel: 3, stride: 2, padding: Padding(1))), [a])
        try compare(g, input: [3, 14, 13])
    }

    func testMaxPoolOnTheImage() throws {
        var g = Graph()
        g.add("pool", .maxPool(Pool(kernel: 2, stride: 2)), [0])
        try compare(g, input: [3, 10, 8])
    }

    func testAveragePoolExcludingPadding() throws {
        var g = Graph()
        let a = g.add("conv", conv(16, 3, 3, 3, relu: false), [0])
        g.add("pool", .avgPool(Pool(kernel: 3, stride: 1, padding: Padding(1), countIncludePad: false)), [a])
        try compare(g, input: [3, 11, 12])
    }

    func testAveragePoolIncludingPadding() throws {
        var g = Graph()
        let a = g.add("conv", conv(16, 3, 3, 3, relu: false), [0])
        g.add("pool", .avgPool(Pool(kernel: 3, stride: 1, padding: Padding(1), countIncludePad: true)), [a])
        try compare(g, input: [3, 11, 12])
    }

    func testAveragePoolCeilMode() throws {
        var g = Graph()
        let a = g.add("conv", conv(16, 3, 3, 3, relu: false), [0])
        g.add("pool", .avgPool(Pool(kernel: 3, stride: 2, ceilMode: true, countIncludePad: false)), [a])
        try compare(g, input: [3, 18, 14])
    }

    func testConcatAlignedChannels() throws {
        var g = Graph()
        let a = g.add("stem", conv(16, 3, 3, 3), [0])
        let b = g.add("b1", conv(32, 16, 1, 1), [a])
        let c = g.add("b2", conv(16, 16, 3, 3, padding: Padding(1)), [a])
        let d = g.add("b3", .maxPool(Pool(kernel: 3, stride: 1, padding: Padding(1))), [a])
        g.add("cat", .concat, [b, c, d])
        try compare(g, input: [3, 10, 11])
    }

    func testConcatUnalignedChannels() throws {
        // 5 + 11 channels: slices cut through oneDNN's 8- or 16-channel blocks.
        var g = Graph()
        let a = g.add("b1", conv(5, 3, 3, 3, padding: Padding(1)), [0])
        let b = g.add("b2", conv(11, 3, 1, 1), [0])
        let c = g.add("cat", .concat, [a, b])
        g.add("after", conv(8, 16, 3, 3), [c])
        try compare(g, input: [3, 9, 10])
    }

    // MARK: graphs

    /// Shared branches, an input used twice, terms on shallow and deep nodes with channel subsets.
    func mixedGraph() -> Graph {
        var g = Graph()
        let a = g.add("stem", conv(32, 3, 3, 3, stride: 2), [0])                          // [32, 15, 12]
        let b = g.add("pool", .maxPool(Pool(kernel: 3, stride: 2, ceilMode: true)), [a])  // [32, 7, 6]
        let c = g.add("squeeze", conv(16, 32, 1, 1), [b])
        let d = g.add("e1", conv(32, 16, 1, 1), [c])
        let e = g.add("e3", conv(32, 16, 3, 3, padding: Padding(1)), [c])
        let f = g.add("fire", .concat, [d, e, d])
        let h = g.add("avg", .avgPool(Pool(kernel: 3, stride: 1, padding: Padding(1), countIncludePad: true)), [f])
        let i = g.add("proj", conv(16, 96, 1, 1, relu: false), [h])
        g.add("relu", .relu, [i])
        g.add("unused", conv(8, 32, 1, 1), [a])
        return g
    }

    func testMixedGraphWithSeveralTerms() throws {
        let g = mixedGraph()
        let terms: Terms = [(g.index(of: "relu")!, 1, nil), (g.index(of: "fire")!, 0.5, [0, 3, 40, 95]),
                            (g.index(of: "stem")!, -0.25, [1]), (g.index(of: "relu")!, 2, [3])]
        try compare(g, input: [3, 31, 25], terms: terms)
    }

    func testSizesAreCachedSeparately() throws {
        let g = mixedGraph()
        let engine = try OneDNNEngine(graph: g, threads: 2, algorithm: .direct)
        let terms: Terms = [(g.index(of: "e3")!, 1, nil)]
        for (k, shape) in [[3, 31, 25], [3, 20, 24], [3, 31, 25]].enumerated() {
            try compare(g, input: shape, terms: terms, seed: UInt64(k + 10), engine: engine)
        }
    }

    func testShallowObjectiveDoesNotBuildDeepLayers() throws {
        let g = mixedGraph()
        let engine = try OneDNNEngine(graph: g, threads: 1)
        _ = try engine.valueAndGradient(SplitMix(seed: 5).tensorFrom([3, 31, 25]), terms: [(g.index(of: "stem")!, 1, nil)])
        XCTAssertFalse(engine.implementations.contains { $0.op.contains("squeeze") })
        XCTAssertTrue(engine.implementations.contains { $0.op.contains("stem") })
    }

    func testErrors() throws {
        let g = mixedGraph()
        let engine = try OneDNNEngine(graph: g, threads: 1)
        XCTAssertThrowsError(try engine.forward(Tensor(zeros: [1, 8, 8]), outputs: [1])) {
            XCTAssertEqual($0 as? EngineError, .badInputShape([1, 8, 8]))
        }
        XCTAssertThrowsError(try engine.valueAndGradient(Tensor(zeros: [3, 31, 25]), terms: [(1, 1, [32])])) {
            XCTAssertEqual($0 as? EngineError, .channelOutOfRange(node: "stem", channel: 32, channels: 32))
        }
        XCTAssertThrowsError(try engine.forward(Tensor(zeros: [3, 4, 4]), outputs: [3])) {
            guard case .inputTooSmall = $0 as? EngineError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try OneDNNEngine(graph: g, threads: 0)) {
            XCTAssertEqual($0 as? OneDNNError, .badThreadCount(0))
        }
    }
}
