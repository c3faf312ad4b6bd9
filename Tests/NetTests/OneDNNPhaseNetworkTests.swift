import XCTest
import Foundation
import Net
import TestSupport

/// The real networks' first layers (SqueezeNet 1.1 and Inception-v3: k3 s2 p0; MobileNetV2: k3 s2 p1
/// with ReLU6) take the image's gradient by phases (`PhaseGradient`): a dream step's gradient agrees
/// with the reference engine, and with oneDNN's backward-data in f32 and bf16, at odd and even sizes.
extension OneDNNNetworkTests {
    static let mobilenet = CachedModel(name: MobileNetV2.name)

    /// The model with its image read a second time (by a ReLU nothing asks for, or with weight 0):
    /// then the first layer's gradient goes through backward-data, as before phases.
    func readingTheImageTwice(_ model: Model) -> Model {
        var m = model
        m.graph.add("image read twice", .relu, [0])
        return m
    }

    func phaseStep(_ cached: CachedModel, layer: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try cached.model()
        let first = model.graph.nodes[1].name
        let twice = readingTheImageTwice(model)
        for (width, height) in [(75, 75), (76, 61)] {
            let image = try TestData.photo("dog.jpg", width: width, height: height)
            let objective = Objective(layer: layer)
            let engine = try OneDNNEngine(graph: model.graph, threads: 2, algorithm: .direct)
            let (va, ga) = try Network(model: model, engine: engine).gradient(of: objective, at: image)
            let (vb, gb) = try Network(model: model, engine: ReferenceEngine(graph: model.graph)).gradient(of: objective, at: image)
            let what = "\(model.name) at \(width)x\(height), \(layer)"
            XCTAssertEqual(va, vb, accuracy: 2e-4 * abs(vb), what, file: file, line: line)
            // As in inceptionStep: a ReLU or max pool decided by the last bit may send a unit's gradient
            // either way in the two engines, so the whole gradient is compared, not its largest pixel.
            let l2 = zip(ga.data, gb.data).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
            let norm = gb.data.reduce(0.0) { $0 + Double($1) * Double($1) }
            XCTAssertGreaterThan(norm, 0, "\(what): the reference gradient is zero", file: file, line: line)
            XCTAssertLessThanOrEqual((l2 / norm).squareRoot(), 1e-2, "\(what): image gradient against the reference, relative L2", file: file, line: line)
            XCTAssertGreaterThan(cosine(ga, gb), 0.9999, "\(what): cosine against the reference", file: file, line: line)
            XCTAssertTrue(engine.implementations.contains { $0.op.hasPrefix("phase convolution") && $0.op.contains("'\(first)'") },
                          "\(what): \(engine.implementations.map(\.op))", file: file, line: line)
            XCTAssertFalse(engine.implementations.contains { $0.op.hasPrefix("convolution backward data") && $0.op.contains("'\(first)'") },
                           "\(what): the first layer still runs backward-data", file: file, line: line)

            // Against backward-data on the same forward kernels: the deeper layers give the same bits,
            // only the first layer's sum is added in another order.
            let both = Objective(terms: [Objective.Term(layer: layer), Objective.Term(layer: "image read twice", weight: 0)])
            for precision in [Precision.f32, .bf16] {
                let phases = try OneDNNEngine(graph: model.graph, threads: 2, algorithm: .direct, precision: precision)
                let backward = try OneDNNEngine(graph: twice.graph, threads: 2, algorithm: .direct, precision: precision)
                let (vp, gp) = try Network(model: model, engine: phases).gradient(of: objective, at: image)
                let (vd, gd) = try Network(model: twice, engine: backward).gradient(of: both, at: image)
                XCTAssertEqual(vp, vd, "\(what), \(precision): objective value", file: file, line: line)
                assertClose(gp, gd, tolerance: 1e-5, "\(what), \(precision): image gradient by phases against backward-data", file: file, line: line)
                XCTAssertTrue(backward.implementations.contains { $0.op.hasPrefix("convolution backward data") && $0.op.contains("'\(first)'") },
                              "\(what), \(precision): the comparison engine did not run backward-data", file: file, line: line)
                // Deterministic for a thread count: the same engine again, and a fresh one.
                let again = try Network(model: model, engine: phases).gradient(of: objective, at: image).gradient
                let fresh = try Network(model: model, engine: OneDNNEngine(graph: model.graph, threads: 2, algorithm: .direct, precision: precision))
                    .gradient(of: objective, at: image).gradient
                XCTAssertEqual(again.data, gp.data, "\(what), \(precision): a second step differs", file: file, line: line)
                XCTAssertEqual(fresh.data, gp.data, "\(what), \(precision): a fresh engine differs", file: file, line: line)
            }
        }
    }

    func testSqueezeNetFirstLayerByPhases() throws { try phaseStep(Self.squeezenet, layer: "fire5") }
    func testMobileNetV2FirstLayerByPhases() throws { try phaseStep(Self.mobilenet, layer: "features_6") }
    func testInceptionFirstLayerByPhases() throws { try phaseStep(Self.inception, layer: "mixed_5") }
}
