import XCTest
import Net
import TestSupport

/// Every op's backward pass against central finite differences of its forward pass, on a tiny
/// random graph that exercises strided asymmetric convolution, ReLU, ceil-mode max pooling, both
/// average-pooling divisors and concatenation.
final class ReferenceGradientTests: XCTestCase {
    func tinyGraph() -> Graph {
        var rng = SplitMix(seed: 7)
        func conv(_ k: Int, _ c: Int, _ r: Int, _ s: Int, stride: Int, padding: Padding, relu: Bool) -> Op {
            .conv(Conv(weight: rng.tensor([k, c, r, s], scale: 0.6), bias: rng.tensor([k], scale: 0.2),
                       strideH: stride, strideW: stride, padding: padding, relu: relu))
        }
        var g = Graph()
        // input [3, 8, 8]
        let a = g.add("strided", conv(4, 3, 3, 3, stride: 2, padding: Padding(top: 1, left: 0, bottom: 0, right: 1), relu: true), [0]) // [4,4,4]
        let b = g.add("wide", conv(3, 3, 1, 3, stride: 1, padding: Padding(h: 0, w: 1), relu: false), [0])  // [3,8,8]
        let c = g.add("relu", .relu, [b])
        let d = g.add("maxceil", .maxPool(Pool(kernel: 3, stride: 2, ceilMode: true)), [c])              // [3,4,4]
        let e = g.add("avgexcl", .avgPool(Pool(kernel: 3, stride: 1, padding: Padding(1), countIncludePad: false)), [d])
        let f = g.add("cat", .concat, [a, e])                                                            // [7,4,4]
        let h = g.add("mix", conv(5, 7, 3, 3, stride: 1, padding: Padding(1), relu: true), [f])
        g.add("avgincl", .avgPool(Pool(kernel: 2, stride: 2, padding: Padding(1), ceilMode: true, countIncludePad: true)), [h])
        g.add("unused", conv(2, 3, 1, 1, stride: 1, padding: .zero, relu: true), [0])
        return g
    }

    func testShapes() throws {
        let g = tinyGraph()
        let engine = ReferenceEngine(graph: g)
        let x = SplitMix(seed: 1).tensorFrom([3, 8, 8])
        let names = ["strided", "wide", "maxceil", "cat", "avgincl"]
        let outs = try engine.forward(x, outputs: names.map { g.index(of: $0)! })
        XCTAssertEqual(outs.map(\.shape), [[4, 4, 4], [3, 8, 8], [3, 4, 4], [7, 4, 4], [5, 3, 3]])
    }

    func testAveragePoolDivisors() throws {
        // A 2x2 input of ones, 3x3 window with padding 1: excluding padding every output is 1;
        // including it, the corner windows hold 4 ones out of 9.
        var g = Graph()
        g.add("excl", .avgPool(Pool(kernel: 3, stride: 1, padding: Padding(1), countIncludePad: false)), [0])
        g.add("incl", .avgPool(Pool(kernel: 3, stride: 1, padding: Padding(1), countIncludePad: true)), [0])
        let input = Tensor(shape: [3, 2, 2], data: [Float](repeating: 1, count: 12))
        let outs = try ReferenceEngine(graph: g).forward(input, outputs: [1, 2])
        let (excl, incl) = (outs[0], outs[1])
        XCTAssertEqual(excl.data, [Float](repeating: 1, count: 12))
        for v in incl.data { XCTAssertEqual(v, 4.0 / 9.0, accuracy: 1e-6) }
    }

    func testGradientMatchesFiniteDifferences() throws {
        let g = tinyGraph()
        let engine = ReferenceEngine(graph: g)
        let terms: [(node: Int, weight: Float, channels: [Int]?)] = [
            (g.index(of: "avgincl")!, 1.0, nil),
            (g.index(of: "avgexcl")!, 0.5, [0, 2]),
            (g.index(of: "strided")!, -0.3, [1]),
        ]
        var rng = SplitMix(seed: 3)
        let x = rng.tensor([3, 8, 8])
        let (value, grad) = try engine.valueAndGradient(x, terms: terms)
        XCTAssertTrue(value.isFinite && value != 0)
        XCTAssertEqual(grad.shape, x.shape)

        let eps: Float = 1e-2
        var worst: Float = 0
        var maxGrad: Float = 0
        var failures = 0
        for i in 0..<x.count {
            var xp = x, xm = x
            xp.data[i] += eps
            xm.data[i] -= eps
            let fp = try engine.valueAndGradient(xp, terms: terms).value
            let fm = try engine.valueAndGradient(xm, terms: terms).value
            let numeric = (fp - fm) / (2 * eps)
            let err = abs(numeric - grad.data[i])
            maxGrad = max(maxGrad, abs(grad.data[i]))
            worst = max(worst, err)
            // A max-pool or ReLU kink inside the eps interval makes the difference quotient wrong,
            // not the gradient: allow a couple of such points, never a systematic error.
            if err > 2e-3 + 2e-2 * abs(numeric) { failures += 1 }
        }
        XCTAssertGreaterThan(maxGrad, 1e-2, "gradient is (almost) zero: the test would prove nothing")
        XCTAssertLessThanOrEqual(failures, 2, "\(failures) of \(x.count) gradient entries disagree with finite differences (worst \(worst))")
    }

    func testValueIsWeightedMeanOfSquares() throws {
        let g = tinyGraph()
        let engine = ReferenceEngine(graph: g)
        let x = SplitMix(seed: 9).tensorFrom([3, 8, 8])
        let node = g.index(of: "cat")!
        let a = try engine.forward(x, outputs: [node])[0]
        let plane = 16
        let sel = [1, 5]
        var sumSquares: Float = 0
        for c in sel {
            for i in (c * plane)..<((c + 1) * plane) { sumSquares += a.data[i] * a.data[i] }
        }
        let expected = 2 * sumSquares / Float(sel.count * plane)
        let value = try engine.valueAndGradient(x, terms: [(node, 2, sel)]).value
        XCTAssertEqual(value, expected, accuracy: 1e-5 * abs(expected))
    }

    func testBadChannelIsAnError() {
        let g = tinyGraph()
        let engine = ReferenceEngine(graph: g)
        let x = Tensor(zeros: [3, 8, 8])
        XCTAssertThrowsError(try engine.valueAndGradient(x, terms: [(g.index(of: "cat")!, 1, [7])])) { error in
            XCTAssertEqual(error as? EngineError, .channelOutOfRange(node: "cat", channel: 7, channels: 7))
        }
    }
}

extension SplitMix {
    func tensorFrom(_ shape: [Int]) -> Tensor { var r = self; return r.tensor(shape) }
}
