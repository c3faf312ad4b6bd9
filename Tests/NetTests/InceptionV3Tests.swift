import XCTest
import Net

/// Inception-v3 as defined in Swift, against PyTorch running the original TorchScript file
/// (Fixtures/inception_v3_activations.json, made by tools/make_fixtures.py).
final class InceptionV3Tests: XCTestCase {
    static let cached = CachedModel(name: InceptionV3.name)

    struct Fixture: Decodable {
        struct Layer: Decodable {
            var shape: [Int]
            var channel_sums: [Double]
            var samples: [[Double]]
        }
        struct Gradient: Decodable {
            var layer: String
            var value: Double
            var row_sums: [[Double]]
            var row_abs_sums: [[Double]]
            var samples: [[Double]]
        }
        var size: Int
        var layers: [String: Layer]
        var gradient: Gradient
    }

    static func fixture() throws -> Fixture {
        guard let url = Bundle.module.url(forResource: "inception_v3_activations", withExtension: "json", subdirectory: "Fixtures") else {
            XCTFail("missing Fixtures/inception_v3_activations.json: run tools/make_fixtures.py")
            throw XCTSkip("no fixture")
        }
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// The formula of tools/make_fixtures.py.
    static func patternImage(size: Int) -> Tensor {
        var t = Tensor(zeros: [3, size, size])
        for c in 0..<3 {
            for y in 0..<size {
                for x in 0..<size {
                    let v = 127.5 + 127.5 * sin(0.05 * Double((x + 1) * (c + 1)) + 0.07 * Double(y) + 0.9 * Double(c))
                    t.data[(c * size + y) * size + x] = Float(v)
                }
            }
        }
        return t
    }

    func testActivationsMatchPyTorch() throws {
        let fixture = try Self.fixture()
        let model = try Self.cached.model()
        let net = Network(model: model, engine: ReferenceEngine(graph: model.graph))
        let names = fixture.layers.keys.sorted()
        XCTAssertFalse(names.isEmpty)
        let acts = try net.activations(of: Self.patternImage(size: fixture.size), layers: names)
        for (name, a) in zip(names, acts) {
            let expected = fixture.layers[name]!
            XCTAssertEqual(a.shape, expected.shape, name)
            guard a.shape == expected.shape else { continue }
            let plane = a.shape[1] * a.shape[2]
            let largest = expected.channel_sums.map(abs).max() ?? 1
            var bad = 0
            for (c, want) in expected.channel_sums.enumerated() {
                var sum = 0.0
                for i in (c * plane)..<((c + 1) * plane) { sum += Double(a.data[i]) }
                // 1e-3 relative, with a floor for channels that are (almost) dead
                if abs(sum - want) > 1e-3 * max(abs(want), 1e-2 * largest) {
                    bad += 1
                    if bad <= 3 { XCTFail("\(name) channel \(c): sum \(sum), PyTorch \(want)") }
                }
            }
            XCTAssertEqual(bad, 0, "\(name): \(bad) channel sums differ from PyTorch")
            let peak = expected.samples.map { abs($0[3]) }.max() ?? 1
            for s in expected.samples {
                let (c, y, x, want) = (Int(s[0]), Int(s[1]), Int(s[2]), s[3])
                let got = Double(a.data[(c * a.shape[1] + y) * a.shape[2] + x])
                XCTAssertEqual(got, want, accuracy: 1e-3 * max(abs(want), 1e-2 * peak), "\(name)[\(c), \(y), \(x)]")
            }
        }
    }

    /// The image gradient of mean(mixed_3^2), through the input convention ((x - 128) / 128) and
    /// the whole graph, against PyTorch's autograd. (Finite differences are too coarse here: a
    /// one-pixel change moves a deep Inception objective less than float32 can resolve.)
    func testImageGradientMatchesPyTorch() throws {
        let fixture = try Self.fixture()
        let want = fixture.gradient
        let model = try Self.cached.model()
        let net = Network(model: model, engine: ReferenceEngine(graph: model.graph))
        let (value, g) = try net.gradient(of: Objective(layer: want.layer), at: Self.patternImage(size: fixture.size))
        XCTAssertEqual(Double(value), want.value, accuracy: 1e-4 * want.value)
        let (H, W) = (fixture.size, fixture.size)
        var bad = 0
        for c in 0..<3 {
            for y in 0..<H {
                var sum = 0.0
                for x in 0..<W { sum += Double(g.data[(c * H + y) * W + x]) }
                // relative to the row's magnitude: the signed sum may cancel
                if abs(sum - want.row_sums[c][y]) > 1e-3 * want.row_abs_sums[c][y] {
                    bad += 1
                    if bad <= 3 { XCTFail("gradient row \(c), \(y): sum \(sum), PyTorch \(want.row_sums[c][y])") }
                }
            }
        }
        XCTAssertEqual(bad, 0, "\(bad) gradient rows differ from PyTorch")
        let typical = want.row_abs_sums.joined().reduce(0, +) / Double(3 * H * W)
        for s in want.samples {
            let (c, y, x, v) = (Int(s[0]), Int(s[1]), Int(s[2]), s[3])
            XCTAssertEqual(Double(g.data[(c * H + y) * W + x]), v, accuracy: 1e-3 * max(abs(v), typical), "gradient[\(c), \(y), \(x)]")
        }
    }

    /// The Swift definition's strides and paddings against those the converter read from the archive.
    func testConvGeometryMatchesArchive() throws {
        let store = try TestFiles.store(with: InceptionV3.name)
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
