import XCTest
import Net
import TestSupport

/// SqueezeNet 1.1 with real weights on the reference engine: real photos must get their real
/// classes, and the image gradient of a whole-network objective must match finite differences.
final class SqueezeNetTests: XCTestCase {
    static let cached = CachedModel(name: SqueezeNet.name)

    func network() throws -> Network {
        let model = try Self.cached.model()
        return Network(model: model, engine: ReferenceEngine(graph: model.graph))
    }

    func testDogIsASledDog() throws {
        let net = try network()
        let top = try net.classify(try TestData.photo("dog.jpg", width: 227, height: 227), top: 5)
        // dogsled, Siberian husky, Eskimo dog, malamute
        XCTAssertTrue([537, 250, 248, 249].contains(top[0].index), "top-5 of dog.jpg: \(top)")
    }

    func testEagleIsKiteOrBaldEagle() throws {
        let net = try network()
        let top = try net.classify(try TestData.photo("eagle.jpg", width: 227, height: 227), top: 5)
        XCTAssertEqual(Set(top.prefix(2).map(\.index)), [21, 22], "top-5 of eagle.jpg: \(top)")
    }

    func testLayersAreNodes() throws {
        let model = try Self.cached.model()
        for layer in model.layers { XCTAssertNotNil(model.graph.index(of: layer), layer) }
        XCTAssertThrowsError(try network().gradient(of: Objective(layer: "mixed_3"), at: Tensor(zeros: [3, 35, 35]))) { error in
            XCTAssertTrue("\(error)".contains("fire9"), "\(error)")
        }
    }

    func testImageGradientMatchesFiniteDifferences() throws {
        let net = try network()
        let objective = Objective(terms: [
            Objective.Term(layer: "conv10", weight: 1),
            Objective.Term(layer: "fire5", weight: 0.5, channels: [3, 100, 200]),
            Objective.Term(layer: "conv1", weight: -0.1),
        ])
        var rng = SplitMix(seed: 11)
        let size = 35   // the smallest size that still leaves conv10 2x2
        var image = try TestData.photo("dog.jpg", width: size, height: size)
        for i in 0..<image.count { image.data[i] += 8 * rng.uniform() }
        try assertGradientMatchesFiniteDifferences(net, objective, at: image, samples: 100, eps: 0.25, rng: &rng)
    }
}

/// Loads a model's weights once for all the tests of a class.
final class CachedModel: @unchecked Sendable {
    let name: String
    private var loaded: Model?
    private let lock = NSLock()
    init(name: String) { self.name = name }

    func model() throws -> Model {
        lock.lock(); defer { lock.unlock() }
        if let loaded { return loaded }
        let m = try TestData.store(with: name).load(name: name)
        loaded = m
        return m
    }
}
