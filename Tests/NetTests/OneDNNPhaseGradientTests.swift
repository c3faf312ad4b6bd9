import XCTest
import Net
import TestSupport

/// The image's gradient through a strided first convolution as a phase convolution and a shuffle
/// (`PhaseGradient`), against the reference engine and against oneDNN's backward-data, which the
/// engine still uses when the image has a second reader (then the rule does not apply).
extension OneDNNEngineTests {
    /// The ops the engine built for node `name`'s gradient to the image.
    func firstLayerBackward(_ engine: OneDNNEngine, _ name: String) -> (phase: Bool, backwardData: Bool) {
        (engine.implementations.contains { $0.op.hasPrefix("phase convolution") && $0.op.contains("'\(name)'") },
         engine.implementations.contains { $0.op.hasPrefix("convolution backward data") && $0.op.contains("'\(name)'") })
    }

    /// Kernel, stride, padding (top, left, bottom, right) of first layers: Inception-v3's and SqueezeNet's
    /// (k3 s2 p0), MobileNetV2's (k3 s2 p1), ResNet-like k7 s2 p3, a stride equal to the kernel, a
    /// stride past the kernel (phases with no taps), uneven strides and padding.
    var firstLayers: [(kernel: (Int, Int), stride: (Int, Int), padding: Padding)] {
        [((3, 3), (2, 2), .zero), ((3, 3), (2, 2), Padding(1)), ((7, 7), (2, 2), Padding(3)), ((2, 2), (2, 2), .zero),
         ((2, 2), (3, 3), .zero), ((5, 3), (2, 1), Padding(top: 2, left: 0, bottom: 1, right: 1)), ((3, 3), (3, 2), Padding(top: 1, left: 0, bottom: 0, right: 1))]
    }

    func firstLayerGraph(kernel: (Int, Int), stride: (Int, Int), padding: Padding, relu: Bool = true) -> Graph {
        var g = Graph()
        let fan = Float(3 * kernel.0 * kernel.1)
        let c = g.add("first", .conv(Conv(weight: rng.tensor([32, 3, kernel.0, kernel.1], scale: 1.5 / fan.squareRoot()), bias: rng.tensor([32], scale: 0.1),
                                          strideH: stride.0, strideW: stride.1, padding: padding, activation: relu ? .relu : .none)), [0])
        g.add("next", conv(16, 32, 3, 3, padding: Padding(1)), [c])
        return g
    }

    func testStridedFirstConvolutionGradientByPhases() throws {
        for layer in firstLayers {
            let g = firstLayerGraph(kernel: layer.kernel, stride: layer.stride, padding: layer.padding)
            // Odd and even sizes: the last row or column of a phase may be missing, or never read.
            for shape in [[3, 23, 19], [3, 24, 20], [3, 13, 16]] {
                for threads in [1, 2] {
                    let engine = try OneDNNEngine(graph: g, threads: threads, algorithm: .direct)
                    try compare(g, input: shape, engine: engine)
                    let (phase, backwardData) = firstLayerBackward(engine, "first")
                    XCTAssertTrue(phase && !backwardData, "\(layer) at \(shape), \(threads) threads: \(engine.implementations.map(\.op))")
                }
            }
        }
    }

    /// The rule: only a strided convolution with few input channels that is the image's only reader.
    func testPhaseGradientOnlyWhereTheRuleApplies() throws {
        var g = Graph()
        g.add("unstrided", conv(16, 3, 3, 3, padding: Padding(1)), [0])
        var engine = try OneDNNEngine(graph: g, threads: 1, algorithm: .direct)
        try compare(g, input: [3, 12, 11], engine: engine)
        XCTAssertEqual(firstLayerBackward(engine, "unstrided").phase, false)
        XCTAssertEqual(firstLayerBackward(engine, "unstrided").backwardData, true)

        g = firstLayerGraph(kernel: (3, 3), stride: (2, 2), padding: .zero)
        let twice = g.add("image read twice", .relu, [0])
        engine = try OneDNNEngine(graph: g, threads: 1, algorithm: .direct)
        try compare(g, input: [3, 15, 14], terms: [(g.index(of: "next")!, 1, nil), (twice, 0.5, nil)], engine: engine)
        XCTAssertEqual(firstLayerBackward(engine, "first").phase, false)
        XCTAssertEqual(firstLayerBackward(engine, "first").backwardData, true)
        // The same engine, a program where the image's second reader is not needed: phases.
        try compare(g, input: [3, 15, 14], terms: [(g.index(of: "next")!, 1, nil)], seed: 2, engine: engine)
        XCTAssertEqual(firstLayerBackward(engine, "first").phase, true)
    }

    /// In f32 and bf16 the phase convolution multiplies the same (rounded) weights and gradients as
    /// backward-data, and only adds them in another order: against the same layer reached through
    /// backward-data (the image read a second time, by a ReLU whose term weighs 0 and so adds zeros).
    func testPhaseGradientMatchesBackwardData() throws {
        for layer in firstLayers {
            for relu in [true, false] {
                let g = firstLayerGraph(kernel: layer.kernel, stride: layer.stride, padding: layer.padding, relu: relu)
                var h = g
                let twice = h.add("image read twice", .relu, [0])
                let next = g.index(of: "next")!
                for precision in [Precision.f32, .bf16] {
                    for threads in [1, 2] {
                        let phases = try OneDNNEngine(graph: g, threads: threads, algorithm: .direct, precision: precision)
                        let backward = try OneDNNEngine(graph: h, threads: threads, algorithm: .direct, precision: precision)
                        let x = SplitMix(seed: 9).tensorFrom([3, 27, 22])
                        let (va, ga) = try phases.valueAndGradient(x, terms: [(next, 1, nil)])
                        let (vb, gb) = try backward.valueAndGradient(x, terms: [(next, 1, nil), (twice, 0, nil)])
                        let what = "\(layer), relu \(relu), \(precision), \(threads) threads"
                        XCTAssertEqual(va, vb, what)
                        assertClose(ga, gb, tolerance: 2e-6, "image gradient by phases against backward-data, \(what)")
                        XCTAssertTrue(firstLayerBackward(phases, "first").phase && !firstLayerBackward(phases, "first").backwardData, what)
                        XCTAssertTrue(firstLayerBackward(backward, "first").backwardData, what)
                    }
                }
            }
        }
    }
}
