import XCTest
import Net
import TestSupport

/// Inception-v3 as defined in Swift, against PyTorch running the original TorchScript file
/// (Fixtures/inception_v3_activations.json, made by tools/make_fixtures.py).
final class InceptionV3Tests: XCTestCase {
    static let cached = CachedModel(name: InceptionV3.name)

    func testActivationsMatchPyTorch() throws {
        let fixture = try ActivationFixture.load(InceptionV3.name)
        let model = try Self.cached.model()
        try fixture.assertActivationsMatch(Network(model: model, engine: ReferenceEngine(graph: model.graph)))
    }

    /// The image gradient of mean(mixed_3^2), through the input convention ((x - 128) / 128) and
    /// the whole graph, against PyTorch's autograd. (Finite differences are too coarse here: a
    /// one-pixel change moves a deep Inception objective less than float32 can resolve.)
    func testImageGradientMatchesPyTorch() throws {
        let fixture = try ActivationFixture.load(InceptionV3.name)
        let model = try Self.cached.model()
        try fixture.assertGradientMatches(Network(model: model, engine: ReferenceEngine(graph: model.graph)))
    }

    /// The Swift definition's strides and paddings against those the converter read from the archive.
    func testConvGeometryMatchesArchive() throws {
        let store = try TestData.store(with: InceptionV3.name)
        let weights = try SafeTensors(contentsOf: try store.url(of: InceptionV3.name))
        let model = try Self.cached.model()
        var convs = 0
        for node in model.graph.nodes {
            guard case .conv(let conv) = node.op else { continue }
            convs += 1
            XCTAssertEqual(weights.metadata[node.name + ".stride"], "\(conv.strideH)", node.name)
            XCTAssertEqual(conv.strideH, conv.strideW, node.name)
            XCTAssertEqual(conv.padding.top, conv.padding.bottom, node.name)
            XCTAssertEqual(conv.padding.left, conv.padding.right, node.name)
            XCTAssertEqual(weights.metadata[node.name + ".padding"], "\(conv.padding.top),\(conv.padding.left)", node.name)
        }
        XCTAssertEqual(convs, weights.tensors.keys.filter { $0.hasSuffix(".weight") }.count, "every conv of the file is in the graph")
        XCTAssertEqual(model.layers.last, "mixed_10")
        for layer in model.layers { XCTAssertNotNil(model.graph.index(of: layer), layer) }
    }
}
