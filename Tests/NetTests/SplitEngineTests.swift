import XCTest
import Foundation
import Net
import TestSupport

/// Two single-thread engines, each on a strip of the image, must give one engine's gradient.
final class SplitEngineTests: XCTestCase {
    static let inception = CachedModel(name: InceptionV3.name)

    func testStripsStartOnTheGridAndOwnTheirShare() throws {
        let model = try Self.inception.model()
        let split = try SplitEngine(graph: model.graph, threads: 2, algorithm: .direct)
        let target = model.graph.index(of: "mixed_3")!
        for (w, h) in [(640, 360), (360, 640), (1920, 1080)] {
            let (axis, strips) = try split.plan(height: h, width: w, targets: [target])
            XCTAssertEqual(axis, w >= h ? .columns : .rows)
            let length = max(w, h)
            guard strips.count == 2 else { XCTFail("\(w)x\(h): \(strips)"); continue }
            XCTAssertEqual(strips.first?.start, 0); XCTAssertEqual(strips.last?.end, length)
            XCTAssertEqual(strips[0].coreEnd, strips[1].coreStart)
            let margin = split.margin(for: [target], along: axis)
            // Measured: margin 64 gives a cosine of 0.99999 at mixed_3, 96 gives 1.0.
            XCTAssertGreaterThanOrEqual(margin, 64)
            for s in strips {
                XCTAssertEqual(s.start % 16, 0, "mixed_3's stride is 16: \(strips)")
                if s.coreStart > 0 { XCTAssertGreaterThanOrEqual(s.coreStart - s.start, margin) }
                if s.coreEnd < length { XCTAssertGreaterThanOrEqual(s.end - s.coreEnd, margin) }
            }
        }
        // Too narrow to share: one strip.
        XCTAssertEqual(try split.plan(height: 100, width: 120, targets: [target]).strips.count, 1)
        // mixed_5 sees much further (7-wide convolutions at stride 16): a wider margin, one strip at 640x360.
        let mixed5 = model.graph.index(of: "mixed_5")!
        // Measured: 0.99991 at 128, 0.99998 at 160.
        XCTAssertGreaterThanOrEqual(split.margin(for: [mixed5], along: .columns), 160)
        XCTAssertEqual(try split.plan(height: 360, width: 640, targets: [mixed5]).strips.count, 1)
    }

    /// The strips' gradient against one engine's on the whole image (both direct, so the kernels agree).
    func testSplitGradientMatchesOneEngine() throws {
        let model = try Self.inception.model()
        let one = Network(model: model, engine: try OneDNNEngine(graph: model.graph, threads: 2, algorithm: .direct))
        let split = try SplitEngine(graph: model.graph, threads: 2, algorithm: .direct)
        let net = Network(model: model, engine: split)
        let image = try TestData.photo("dog.jpg", width: 1280, height: 360)
        for layer in ["mixed_3", "mixed_5"] {
            XCTAssertEqual(try split.plan(height: 360, width: 1280, targets: [model.graph.index(of: layer)!]).strips.count, 2)
            let whole = try one.gradient(of: Objective(layer: layer), at: image)
            let parts = try net.gradient(of: Objective(layer: layer), at: image)
            // Measured with these margins: 1.0000000 (mixed_3, margin 64), 0.99998 (mixed_5, margin 163).
            XCTAssertGreaterThanOrEqual(cosine(whole.gradient, parts.gradient), 0.9999, layer)
            XCTAssertEqual(parts.value / whole.value, 1, accuracy: 1e-3, layer)
        }
    }

    /// The same image, objective and thread count give the same bytes, run after run and engine after engine.
    func testSplitIsDeterministic() throws {
        let model = try Self.inception.model()
        let image = try TestData.photo("dog.jpg", width: 640, height: 360)
        let a = try SplitEngine(graph: model.graph, threads: 2, algorithm: .direct)
        let b = try SplitEngine(graph: model.graph, threads: 2, algorithm: .direct)
        let objective = Objective(layer: "mixed_3")
        let g1 = try Network(model: model, engine: a).gradient(of: objective, at: image)
        let g2 = try Network(model: model, engine: a).gradient(of: objective, at: image)
        let g3 = try Network(model: model, engine: b).gradient(of: objective, at: image)
        XCTAssertEqual(g1.gradient, g2.gradient)
        XCTAssertEqual(g1.gradient, g3.gradient)
        XCTAssertEqual(g1.value, g3.value)
    }

    /// With `.fastest`, each 3x3 convolution's direct and Winograd kernels are timed once, the winner
    /// written to the cache (DREAMVIDEO_CACHE) and reused by the next engine without timing.
    func testConvolutionAlgorithmsAreTimedOnceAndCached() throws {
        let model = try Self.inception.model()
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        setenv("DREAMVIDEO_CACHE", dir, 1)
        defer { unsetenv("DREAMVIDEO_CACHE") }
        let image = try TestData.photo("dog.jpg", width: 320, height: 180)
        let first = try OneDNNEngine(graph: model.graph, threads: 1)
        _ = try Network(model: model, engine: first).gradient(of: Objective(layer: "mixed"), at: image)
        let timed = try XCTUnwrap(first.tuner).decisions
        XCTAssertFalse(timed.isEmpty)
        XCTAssertTrue(timed.contains { $0.key.hasPrefix("forward f32 1 thread") && !$0.fromCache })
        XCTAssertTrue(timed.contains { $0.key.hasPrefix("backward_data f32 1 thread") && !$0.fromCache })
        for d in timed { XCTAssertEqual(Set(d.entry.milliseconds.keys), ["direct", "winograd"], d.key) }
        XCTAssertTrue(fileExists(dir + "/convolution-algorithms.json"))
        // What was built follows what was chosen.
        XCTAssertEqual(first.implementations.contains { $0.impl.contains("wino") }, timed.contains { $0.entry.choice == "winograd" })
        let second = try OneDNNEngine(graph: model.graph, threads: 1)
        _ = try Network(model: model, engine: second).gradient(of: Objective(layer: "mixed"), at: image)
        let reused = try XCTUnwrap(second.tuner).decisions
        XCTAssertEqual(Set(reused.map(\.key)), Set(timed.map(\.key)))
        XCTAssertTrue(reused.allSatisfy(\.fromCache))
        for d in reused { XCTAssertEqual(d.entry.choice, timed.first { $0.key == d.key }!.entry.choice) }
    }
}
