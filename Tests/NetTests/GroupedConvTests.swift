import XCTest
import Net
import TestSupport

/// The reference engine's grouped (depthwise) convolution, ReLU6 and residual add: forward against
/// an independent formulation, backward against central finite differences.
final class GroupedConvTests: XCTestCase {
    var rng = SplitMix(seed: 11)

    func conv(_ out: Int, _ inPerGroup: Int, _ k: Int, groups: Int = 1, stride: Int = 1, padding: Padding = .zero,
              activation: Activation, scale: Float = 1) -> Conv {
        rng.conv(out, inPerGroup, k, groups: groups, stride: stride, padding: padding, activation: activation, scale: scale)
    }

    func mobileGraph() -> Graph { GroupedConvTests.mobileGraph(&rng) }

    /// A MobileNetV2-like graph on a [3, 9, 9] input: expand + ReLU6, depthwise + ReLU6, project,
    /// residual add with the input, then a strided depthwise with channel multiplier 2 and a
    /// two-group convolution with asymmetric padding.
    static func mobileGraph(_ rng: inout SplitMix) -> Graph {
        func conv(_ out: Int, _ inPerGroup: Int, _ k: Int, groups: Int = 1, stride: Int = 1, padding: Padding = .zero,
                  activation: Activation, scale: Float = 1) -> Conv {
            rng.conv(out, inPerGroup, k, groups: groups, stride: stride, padding: padding, activation: activation, scale: scale)
        }
        var g = Graph()
        let e = g.add("expand", .conv(conv(12, 3, 1, activation: .relu6, scale: 4)), [0])                       // [12,9,9]
        let d = g.add("dw", .conv(conv(12, 1, 3, groups: 12, padding: Padding(1), activation: .relu6, scale: 1.2)), [e])
        let p = g.add("project", .conv(conv(3, 12, 1, activation: .none, scale: 0.4)), [d])                   // [3,9,9]
        let a = g.add("residual", .add, [p, 0])
        g.add("dw_s2", .conv(conv(6, 1, 3, groups: 3, stride: 2, padding: Padding(1), activation: .relu6, scale: 3)), [a]) // [6,5,5]
        g.add("g2", .conv(conv(4, 6, 3, groups: 2, stride: 2,
                               padding: Padding(top: 1, left: 0, bottom: 0, right: 1), activation: .relu, scale: 0.5)), [e]) // [4,4,4]
        return g
    }

    func testShapesAndCost() throws {
        let g = mobileGraph()
        let names = ["expand", "dw", "project", "residual", "dw_s2", "g2"]
        let outs = try ReferenceEngine(graph: g).forward(SplitMix(seed: 2).tensorFrom([3, 9, 9]), outputs: names.map { g.index(of: $0)! })
        XCTAssertEqual(outs.map(\.shape), [[12, 9, 9], [12, 9, 9], [3, 9, 9], [3, 9, 9], [6, 5, 5], [4, 4, 4]])
        XCTAssertEqual(try g.shapes(height: 9, width: 9), [[3, 9, 9]] + outs.map(\.shape))

        // Depthwise: 9 multiply-adds per output; two groups of 6 inputs -> 4 outputs: 6 * 3 * 3 per output.
        let dw = try g.stepCost(targets: [g.index(of: "dw")!], height: 9, width: 9)
        let expandFLOP = 2.0 * 12 * 81 * 3
        XCTAssertEqual(dw.forwardFLOP, expandFLOP + 2.0 * 12 * 81 * 9)
        let g2 = try g.stepCost(targets: [g.index(of: "g2")!], height: 9, width: 9)
        XCTAssertEqual(g2.forwardFLOP, expandFLOP + 2.0 * 4 * 16 * 54)
        let residual = try g.stepCost(targets: [g.index(of: "residual")!], height: 9, width: 9)
        XCTAssertEqual(residual.forwardFLOP, dw.forwardFLOP + 2.0 * 3 * 81 * 12 + 3 * 81)
        XCTAssertEqual(residual.backwardDataFLOP, dw.forwardFLOP + 2.0 * 3 * 81 * 12)
    }

    /// A grouped convolution equals a dense one whose weights are zero between groups; ReLU6
    /// equals clamping the activation-free output to 0...6.
    func testForwardMatchesBlockDiagonalDenseConvolution() throws {
        for (groups, inPer, out, stride) in [(8, 1, 8, 1), (8, 1, 16, 2), (2, 4, 6, 2), (4, 2, 4, 1)] {
            let C = groups * inPer
            let grouped = conv(out, inPer, 3, groups: groups, stride: stride, padding: Padding(top: 1, left: 2, bottom: 0, right: 1),
                               activation: .relu6, scale: 3)
            var dense = grouped
            dense.groups = 1
            dense.activation = .none
            dense.weight = Tensor(zeros: [out, C, 3, 3])
            let outPer = out / groups
            for k in 0..<out {
                let c0 = (k / outPer) * inPer
                for cg in 0..<inPer {
                    for rs in 0..<9 { dense.weight.data[(k * C + c0 + cg) * 9 + rs] = grouped.weight.data[(k * inPer + cg) * 9 + rs] }
                }
            }
            var g = Graph()
            let x = g.add("spread", .conv(conv(C, 3, 1, activation: .none)), [0])
            let a = g.add("grouped", .conv(grouped), [x])
            let b = g.add("dense", .conv(dense), [x])
            let outs = try ReferenceEngine(graph: g).forward(SplitMix(seed: 5).tensorFrom([3, 7, 8]), outputs: [a, b])
            XCTAssertEqual(outs[0].shape, outs[1].shape)
            var clipped = 0, inside = 0
            for (y, z) in zip(outs[0].data, outs[1].data) {
                XCTAssertEqual(y, min(max(z, 0), 6), accuracy: 1e-5, "groups \(groups)")
                if z > 6 { clipped += 1 } else if z > 0 { inside += 1 }
            }
            XCTAssertGreaterThan(clipped, 0, "no value reached 6: ReLU6's clip is not exercised")
            XCTAssertGreaterThan(inside, 0)
        }
    }

    func testAddSumsAllInputs() throws {
        var g = Graph()
        let a = g.add("a", .conv(conv(3, 3, 1, activation: .none)), [0])
        let s = g.add("sum", .add, [a, 0, a])
        var r = SplitMix(seed: 4)
        let x = r.tensor([3, 4, 5])
        let outs = try ReferenceEngine(graph: g).forward(x, outputs: [a, s])
        for i in 0..<x.count { XCTAssertEqual(outs[1].data[i], 2 * outs[0].data[i] + x.data[i], accuracy: 1e-6) }
    }

    func testGradientMatchesFiniteDifferences() throws {
        let g = mobileGraph()
        let engine = ReferenceEngine(graph: g)
        let terms: [(node: Int, weight: Float, channels: [Int]?)] = [
            (g.index(of: "dw_s2")!, 1.0, nil),
            (g.index(of: "g2")!, 0.7, [0, 3]),
            (g.index(of: "dw")!, -0.05, [2, 5, 7]),
        ]
        var r = SplitMix(seed: 3)
        let x = r.tensor([3, 9, 9])
        // ReLU6 must both pass and clip somewhere, in each ReLU6 layer.
        let acts = try engine.forward(x, outputs: ["expand", "dw", "dw_s2"].map { g.index(of: $0)! })
        for a in acts {
            XCTAssertGreaterThan(a.data.filter { $0 == 6 }.count, 0, "nothing clipped at 6")
            XCTAssertGreaterThan(a.data.filter { $0 > 0 && $0 < 6 }.count, 0, "nothing between 0 and 6")
        }
        let (value, grad) = try engine.valueAndGradient(x, terms: terms)
        XCTAssertTrue(value.isFinite && value != 0)

        // A ReLU/ReLU6 kink (0 or 6) inside the eps interval spoils the difference quotient, not
        // the gradient: such entries are skipped, detected by a change of any activation's regime.
        let clamped = g.nodes.indices.filter { n in
            if case .conv(let c) = g.nodes[n].op { return c.activation != .none }
            return false
        }
        func regimes(_ x: Tensor) throws -> [UInt8] {
            try engine.forward(x, outputs: clamped).flatMap { $0.data.map { $0 <= 0 ? 0 : ($0 >= 6 ? 2 : 1) } }
        }
        let eps: Float = 2e-3
        var worst: Float = 0, maxGrad: Float = 0
        var failures = 0, checked = 0
        for i in 0..<x.count {
            var xp = x, xm = x
            xp.data[i] += eps
            xm.data[i] -= eps
            guard try regimes(xp) == regimes(xm) else { continue }
            checked += 1
            let numeric = (try engine.valueAndGradient(xp, terms: terms).value - engine.valueAndGradient(xm, terms: terms).value) / (2 * eps)
            let err = abs(numeric - grad.data[i])
            maxGrad = max(maxGrad, abs(grad.data[i]))
            worst = max(worst, err)
            if err > 2e-3 + 2e-2 * abs(numeric) { failures += 1 }
        }
        XCTAssertGreaterThan(checked, x.count * 3 / 4, "too many entries sit next to a kink: the check covers too little")
        XCTAssertGreaterThan(maxGrad, 1e-2, "gradient is (almost) zero: the test would prove nothing")
        XCTAssertEqual(failures, 0, "\(failures) of \(checked) gradient entries disagree with finite differences (worst \(worst))")
    }
}

extension SplitMix {
    /// A random convolution: weight [out, inPerGroup, k, k] uniform in +-scale, bias in +-0.3.
    mutating func conv(_ out: Int, _ inPerGroup: Int, _ k: Int, groups: Int = 1, stride: Int = 1, padding: Padding = .zero,
                       activation: Activation, scale: Float = 1) -> Conv {
        Conv(weight: tensor([out, inPerGroup, k, k], scale: scale), bias: tensor([out], scale: 0.3),
             strideH: stride, strideW: stride, padding: padding, activation: activation, groups: groups)
    }
}
