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

    /// Every primitive is given its scratchpad, so one process runs single-thread strips and the
    /// whole image on two threads, from any thread, in any order (oneDNN 2.6.3's own per-thread
    /// scratchpad crashed on both: two-thread work after single-thread strips, and a primitive run
    /// on another thread than its builder's). And the bytes are the same whichever thread ran them.
    func testStripsAndTwoThreadsMixOnAnyThread() throws {
        let model = try Self.inception.model()
        let split = try SplitEngine(graph: model.graph, threads: 2, algorithm: .direct)
        let net = Network(model: model, engine: split)
        let target = model.graph.index(of: "mixed_3")!
        let wide = try TestData.photo("dog.jpg", width: 640, height: 180)
        let small = try TestData.photo("dog.jpg", width: 200, height: 120)
        XCTAssertEqual(try split.plan(height: 180, width: 640, targets: [target]).strips.count, 2, "strips")
        XCTAssertEqual(try split.plan(height: 120, width: 200, targets: [target]).strips.count, 1, "the whole on two threads")
        let objective = Objective(layer: "mixed_3")
        let wideHere = try net.gradient(of: objective, at: wide)
        let smallHere = try net.gradient(of: objective, at: small)
        XCTAssertEqual(split.lastParallel, "threads")
        // Again, each from a thread of its own (new threads: not the ones that built the primitives).
        for (image, expected) in [(small, smallHere), (wide, wideHere), (small, smallHere)] {
            let elsewhere = try onNewThread { try net.gradient(of: objective, at: image) }
            XCTAssertEqual(elsewhere.gradient, expected.gradient)
            XCTAssertEqual(elsewhere.value, expected.value)
        }
        // A plain two-thread engine after the strips' single-thread work, in the same process.
        let two = try OneDNNEngine(graph: model.graph, threads: 2, algorithm: .direct)
        let g = try onNewThread { try Network(model: model, engine: two).gradient(of: objective, at: wide) }
        XCTAssertGreaterThanOrEqual(cosine(g.gradient, wideHere.gradient), 0.9999)
    }

    /// With `.fastest`, strips against the whole image on every thread is timed once per size and
    /// objective, kept in the cache beside the convolution algorithms, and reused without timing.
    func testStripsOrThreadsIsTimedOnceAndCached() throws {
        let model = try Self.inception.model()
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        setenv("DREAMVIDEO_CACHE", dir, 1)
        defer { unsetenv("DREAMVIDEO_CACHE") }
        let image = try TestData.photo("dog.jpg", width: 480, height: 96)
        let objective = Objective(layer: "mixed")
        let first = try SplitEngine(graph: model.graph, threads: 2)
        XCTAssertEqual(try first.plan(height: 96, width: 480, targets: [model.graph.index(of: "mixed")!]).strips.count, 2)
        let a = try Network(model: model, engine: first).gradient(of: objective, at: image)
        let timed = try XCTUnwrap(first.tuner).decisions.filter { $0.key.hasPrefix("parallel") }
        XCTAssertEqual(timed.count, 1)
        XCTAssertEqual(timed.first?.fromCache, false)
        XCTAssertEqual(Set(timed.first?.entry.milliseconds.keys ?? [:].keys), ["strips", "threads"])
        XCTAssertEqual(first.lastParallel, timed.first?.entry.choice)
        let second = try SplitEngine(graph: model.graph, threads: 2)
        let b = try Network(model: model, engine: second).gradient(of: objective, at: image)
        let reused = try XCTUnwrap(second.tuner).decisions.filter { $0.key.hasPrefix("parallel") }
        XCTAssertEqual(reused.map(\.key), timed.map(\.key))
        XCTAssertTrue(reused.allSatisfy(\.fromCache))
        XCTAssertEqual(second.lastParallel, first.lastParallel)
        // The same choice and cache give the same bytes.
        XCTAssertEqual(a.gradient, b.gradient)
    }

    /// `body` on a new thread (with the stack oneDNN's kernels want), waited for.
    private func onNewThread<T>(_ body: @escaping () throws -> T) throws -> T {
        let box = ResultBox<T>(), done = DispatchSemaphore(value: 0)
        let thread = Thread { box.result = Result { try body() }; done.signal() }
        thread.stackSize = 16 << 20
        thread.start()
        done.wait()
        return try box.result!.get()
    }
}

/// A result handed from a thread to the one waiting for it.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}
