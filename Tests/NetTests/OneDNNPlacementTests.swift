import XCTest
import Net
import TestSupport

/// Concats done by placement (`ConcatInPlace`) and sibling 1x1 convolutions run as one
/// (`SiblingConvs`), against the reference engine: an Inception-like block whose towers start with
/// 1x1 convolutions of one input, with objectives that reach every sibling, only some, and a concat
/// fed twice by one node and by a sibling.
extension OneDNNEngineTests {
    func siblingGraph() -> Graph {
        var g = Graph()
        let x = g.add("stem", conv(32, 3, 3, 3), [0])                                  // [32, 9, 10]
        let a = g.add("a", conv(16, 32, 1, 1), [x])                                     // siblings a, b, c
        let b = g.add("b", conv(32, 32, 1, 1), [x])
        let b2 = g.add("b2", conv(16, 32, 3, 3, padding: Padding(1)), [b])
        let c = g.add("c", conv(16, 32, 1, 1), [x])
        let d = g.add("d", conv(8, 32, 1, 1, relu: false), [x])                         // another activation: not merged with a, b, c
        let p = g.add("pool", .avgPool(Pool(kernel: 3, stride: 1, padding: Padding(1), countIncludePad: false)), [x])
        let cat = g.add("cat", .concat, [a, b2, c, p])
        g.add("twice", .concat, [cat, c, c])
        g.add("after", conv(8, 80, 1, 1), [cat])
        g.add("dOut", .relu, [d])
        return g
    }

    func testSiblingConvolutionsAndPlacedConcats() throws {
        let g = siblingGraph()
        try compare(g, input: [3, 11, 12], terms: [(g.index(of: "after")!, 1, nil)])
        try compare(g, input: [3, 11, 12], terms: [(g.index(of: "twice")!, 1, nil), (g.index(of: "dOut")!, 0.5, nil)])
        // Only one sibling reached: the others' gradients are zeros in the merged backward.
        try compare(g, input: [3, 11, 12], terms: [(g.index(of: "b2")!, 1, nil)])
        try compare(g, input: [3, 11, 12], terms: [(g.index(of: "c")!, 1, [3]), (g.index(of: "a")!, 2, nil)])
        for precision in [Precision.f32, .bf16] {
            let engine = try OneDNNEngine(graph: g, threads: 1, precision: precision)
            _ = try engine.valueAndGradient(SplitMix(seed: 3).tensorFrom([3, 11, 12]), terms: [(g.index(of: "after")!, 1, nil)])
            XCTAssertTrue(engine.implementations.contains { $0.op.contains("'a' and its siblings") }, "\(precision): siblings not merged")
        }
    }

    /// A concat input's gradient is its slice of the concat's gradient (no copy), except where the
    /// input is also a target: one engine runs programs with and without that target, in turn.
    func testConcatInputGradientsAreSlices() throws {
        var g = Graph()
        let x = g.add("stem", conv(16, 3, 3, 3), [0])
        let a = g.add("a", conv(16, 16, 3, 3, padding: Padding(1)), [x])
        let b = g.add("b", conv(32, 16, 3, 3, padding: Padding(1)), [x])
        let cat = g.add("cat", .concat, [a, b])
        let after = g.add("after", conv(8, 48, 1, 1), [cat])
        let engine = try OneDNNEngine(graph: g, threads: 1, algorithm: .direct)
        try compare(g, input: [3, 12, 13], terms: [(after, 1, nil)], engine: engine)
        let copies = engine.implementations.filter { $0.op.hasPrefix("gradient into") && ($0.op.contains("'a'") || $0.op.contains("'b'")) }
        XCTAssertTrue(copies.isEmpty, "concat inputs' gradients copied: \(copies.map(\.op))")
        // b is a target too: its seed must not be overwritten by the concat's gradient.
        try compare(g, input: [3, 12, 13], terms: [(after, 1, nil), (b, 0.5, [1, 3])], seed: 2, engine: engine)
        try compare(g, input: [3, 12, 13], terms: [(cat, 1, nil), (a, 2, nil)], seed: 3, engine: engine)
        try compare(g, input: [3, 12, 13], terms: [(after, 1, nil)], seed: 4, engine: engine)
    }
}
