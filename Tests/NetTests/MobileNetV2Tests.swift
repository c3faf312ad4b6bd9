import XCTest
import Net
import TestSupport

/// MobileNetV2 with torchvision's weights: real photos must get their real classes on both
/// engines (which checks the folded norms, ReLU6, depthwise convs, residual adds and the
/// classifier written as a 1x1 conv), and the image gradient must match finite differences.
final class MobileNetV2Tests: XCTestCase {
    static let cached = CachedModel(name: MobileNetV2.name)

    func reference() throws -> Network {
        let model = try Self.cached.model()
        return Network(model: model, engine: ReferenceEngine(graph: model.graph))
    }

    func onednn() throws -> Network {
        let model = try Self.cached.model()
        return Network(model: model, engine: try OneDNNEngine(graph: model.graph, threads: 2))
    }

    /// malamute (249) first; Eskimo dog (248), dogsled (537), Siberian husky (250) in the top 5.
    func assertDogIsAMalamute(_ net: Network, file: StaticString = #filePath, line: UInt = #line) throws {
        let top = try net.classify(try TestData.photo("dog.jpg", width: 224, height: 224), top: 5)
        XCTAssertEqual(top.first?.index, 249, "top-5 of dog.jpg: \(top)", file: file, line: line)
        XCTAssertTrue(Set(top.map(\.index)).isSuperset(of: [249, 248, 537, 250]), "top-5 of dog.jpg: \(top)", file: file, line: line)
    }

    /// bald eagle (22) first.
    func assertEagleIsABaldEagle(_ net: Network, file: StaticString = #filePath, line: UInt = #line) throws {
        let top = try net.classify(try TestData.photo("eagle.jpg", width: 224, height: 224), top: 5)
        XCTAssertEqual(top.first?.index, 22, "top-5 of eagle.jpg: \(top)", file: file, line: line)
    }

    func testDogIsAMalamute() throws { try assertDogIsAMalamute(try reference()) }
    func testEagleIsABaldEagle() throws { try assertEagleIsABaldEagle(try reference()) }
    func testDogIsAMalamuteWithOneDNN() throws { try assertDogIsAMalamute(try onednn()) }
    func testEagleIsABaldEagleWithOneDNN() throws { try assertEagleIsABaldEagle(try onednn()) }

    /// torchvision's block outputs: channels per stage and the strides at 224x224.
    func testBlockShapes() throws {
        let net = try reference()
        let acts = try net.activations(of: try TestData.photo("eagle.jpg", width: 224, height: 224), layers: ["features_0"] + net.layers + ["classifier"])
        let channels = [32, 16, 24, 24, 32, 32, 32, 64, 64, 64, 64, 96, 96, 96, 160, 160, 160, 320, 1280, 1000]
        let sides = [112, 112, 56, 56, 28, 28, 28, 14, 14, 14, 14, 14, 14, 14, 7, 7, 7, 7, 7, 7]
        XCTAssertEqual(acts.map { $0.shape }, zip(channels, sides).map { [$0, $1, $1] })
        XCTAssertEqual(net.layers, (1...18).map { "features_\($0)" })
        // ReLU6 bounds the block outputs that end in it; the projections (linear) are unbounded.
        XCTAssertLessThanOrEqual(acts[18].data.max() ?? 7, 6)
        XCTAssertGreaterThan(acts[18].data.max() ?? 0, 0)
        XCTAssertLessThan(acts[17].data.min() ?? 0, 0)
    }

    /// Against PyTorch (Fixtures/mobilenet_v2_activations.json): block outputs, the class scores
    /// (the spatial mean of the classifier conv against PyTorch's Linear of the mean) and the image
    /// gradient of mean(features_10^2), on a 67x67 pattern whose odd sizes check the stride-2 rounding.
    func assertMatchesPyTorch(_ net: Network, file: StaticString = #filePath, line: UInt = #line) throws {
        var fixture = try ActivationFixture.load(MobileNetV2.name)
        let scores = try XCTUnwrap(fixture.layers.removeValue(forKey: "classifier"), file: file, line: line)
        try fixture.assertActivationsMatch(net, file: file, line: line)
        let logits = try net.logits(of: fixture.patternImage)
        XCTAssertEqual(logits.count, scores.channel_sums.count, file: file, line: line)
        let largest = scores.channel_sums.map(abs).max() ?? 1
        let worst = zip(logits, scores.channel_sums).map { abs(Double($0) - $1) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(worst, 1e-3 * largest, "class scores: max |diff| \(worst), largest \(largest)", file: file, line: line)
        try fixture.assertGradientMatches(net, file: file, line: line)
    }

    func testMatchesPyTorch() throws { try assertMatchesPyTorch(try reference()) }
    func testMatchesPyTorchWithOneDNN() throws { try assertMatchesPyTorch(try onednn()) }

    func testImageGradientMatchesFiniteDifferences() throws {
        let net = try reference()
        let objective = Objective(terms: [
            Objective.Term(layer: "features_16", weight: 1),    // after a residual add
            Objective.Term(layer: "features_5", weight: 0.5, channels: [3, 17, 30]),
            Objective.Term(layer: "features_1", weight: -0.1),
        ])
        var rng = SplitMix(seed: 12)
        var image = try TestData.photo("dog.jpg", width: 64, height: 48)
        for i in 0..<image.count { image.data[i] += 8 * rng.uniform() }
        try assertGradientMatchesFiniteDifferences(net, objective, at: image, samples: 60, eps: 0.25, rng: &rng)
    }

    func testOneDNNDreamStepMatchesReference() throws {
        let fast = try onednn(), slow = try reference()
        let image = try TestData.photo("dog.jpg", width: 161, height: 97)
        let objective = Objective(terms: [Objective.Term(layer: "features_10"), Objective.Term(layer: "features_3", weight: 0.3)])
        let (va, ga) = try fast.gradient(of: objective, at: image)
        let (vb, gb) = try slow.gradient(of: objective, at: image)
        XCTAssertEqual(va, vb, accuracy: 1e-4 * abs(vb))
        let scale = gb.data.map(abs).max() ?? 0
        let diff = zip(ga.data, gb.data).map { abs($0 - $1) }.max() ?? 0
        XCTAssertGreaterThan(scale, 0)
        XCTAssertLessThanOrEqual(diff, 2e-4 * scale, "image gradient: max |diff| \(diff), largest \(scale)")
    }
}
