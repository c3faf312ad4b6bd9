import XCTest
import Foundation
import Net
import TestSupport

/// The FLOP count behind the benchmark's GFLOP/s: shapes as the engines compute them, and the
/// multiply-adds of each convolution.
final class StepCostTests: XCTestCase {
    func testSmallGraphCountedByHand() throws {
        var g = Graph()
        let conv = Conv(weight: Tensor(zeros: [8, 3, 3, 3]), bias: Tensor(zeros: [8]), padding: Padding(1))
        let a = g.add("a", .conv(conv), [0])                                             // [8, 10, 12]
        let p = g.add("p", .maxPool(Pool(kernel: 3, stride: 2, ceilMode: true)), [a])     // [8, 5, 6]
        let oneByOne = Conv(weight: Tensor(zeros: [4, 8, 1, 1]), bias: Tensor(zeros: [4]))
        let b = g.add("b", .conv(oneByOne), [p])                                          // [4, 5, 6]
        let strided = Conv(weight: Tensor(zeros: [5, 3, 1, 7]), bias: Tensor(zeros: [5]), strideH: 2, strideW: 1,
                           padding: Padding(h: 0, w: 3))
        let c = g.add("c", .conv(strided), [0])                                           // [5, 5, 12], off b's path
        _ = g.add("cat", .concat, [b, b])

        let shapes = try g.shapes(height: 10, width: 12)
        XCTAssertEqual(shapes[a], [8, 10, 12])
        XCTAssertEqual(shapes[p], [8, 5, 6])
        XCTAssertEqual(shapes[c], [5, 5, 12])
        XCTAssertEqual(shapes.last, [8, 5, 6])

        let cost = try g.stepCost(targets: [b], height: 10, width: 12)
        let first: Double = 8 * 10 * 12 * 3 * 9, second: Double = 4 * 5 * 6 * 8
        let expected = 2 * (first + second)
        XCTAssertEqual(cost.forwardFLOP, expected)
        XCTAssertEqual(cost.backwardDataFLOP, expected)
        let offPath: Double = 5 * 5 * 12 * 3 * 7
        XCTAssertEqual(try g.stepCost(targets: [b, c], height: 10, width: 12).forwardFLOP, expected + 2 * offPath)
    }

    func testTooSmallInputIsReported() throws {
        var g = Graph()
        g.add("big", .conv(Conv(weight: Tensor(zeros: [2, 3, 5, 5]), bias: Tensor(zeros: [2]))), [0])
        XCTAssertThrowsError(try g.shapes(height: 4, width: 9)) { error in
            guard case EngineError.inputTooSmall(let node, _)? = error as? EngineError else { return XCTFail("\(error)") }
            XCTAssertEqual(node, "big")
        }
    }

    /// Graph.shapes must agree with the shapes the oneDNN engine actually produces.
    func testInceptionShapesMatchTheEngine() throws {
        let model = try CachedModel(name: InceptionV3.name).model()
        let image = try TestData.photo("dog.jpg", width: 203, height: 151)
        let shapes = try model.graph.shapes(height: 151, width: 203)
        let net = Network(model: model, engine: try OneDNNEngine(graph: model.graph, threads: 2))
        let acts = try net.activations(of: image, layers: model.layers)
        for (layer, a) in zip(model.layers, acts) {
            XCTAssertEqual(shapes[model.graph.index(of: layer)!], a.shape, layer)
        }
        // Deeper layers cost more, and the whole network is what the published Inception-v3 counts
        // suggest: about 5.7 G multiply-adds at 299x299.
        let full = try model.graph.stepCost(targets: [model.graph.index(of: "mixed_10")!], height: 299, width: 299)
        XCTAssertEqual(full.forwardFLOP / 2 / 1e9, 5.7, accuracy: 0.2)
    }
}
