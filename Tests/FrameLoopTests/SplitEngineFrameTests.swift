import XCTest
import Foundation
import Net
import FrameLoop
import TestSupport
import Imaging
import Schedule

/// With two threads the network runs as two single-thread engines on strips (SplitEngine): the frames
/// must still be the same for the same seed and thread count, and --profile must account for them.
final class SplitEngineFrameTests: XCTestCase {
    func render(threads: Int, stages: StageTimes? = nil) throws -> [FloatImage] {
        let store = try TestData.store(with: "squeezenet1_1")
        let model = try store.load(name: "squeezenet1_1")
        let net = Network(model: model, engine: try SplitEngine(graph: model.graph, threads: threads, algorithm: .direct))
        let schedule = try Schedule(json: """
            {"model": "squeezenet1_1", "defaults": {"octaves": 2, "steps": 2, "jitter": 8, "zoom": 1.05, "sharpen": 0.3},
             "segments": [{"layer": "fire4", "frames": 3}]}
            """, source: "split.json").resolved(for: net)
        let (w, h) = (384, 128)
        let start = FloatImage(rgb8: try TestData.photoRGB("dog.jpg", width: w, height: h), width: w, height: h)
        let target = model.graph.index(of: "fire4")!
        XCTAssertEqual(try (net.engine as! SplitEngine).plan(height: h, width: w, targets: [target]).strips.count, 2, "the frame is split")
        let sink = CollectingSink()
        var loop = ZoomLoop()
        loop.stages = stages
        try loop.run(start: start, network: net, schedule: schedule, seed: 5, sink: sink)
        return sink.frames
    }

    func testFramesAreTheSameForTheSameSeedAndThreads() throws {
        let a = try render(threads: 2), b = try render(threads: 2)
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(a, b)
    }

    func testProfileAccountsForEveryStage() throws {
        let stages = StageTimes()
        _ = try render(threads: 2, stages: stages)
        XCTAssertGreaterThan(stages.seconds(.dream), 0)
        XCTAssertGreaterThan(stages.seconds(.resample), 0)
        XCTAssertGreaterThan(stages.seconds(.sharpen), 0)
        XCTAssertGreaterThan(stages.seconds(.colour), 0)
        let report = stages.report(frames: 3, network: stages.seconds(.dream) / 2)
        XCTAssertTrue(report.hasPrefix("profile: 3 frames, "), report)
        for word in ["network", "resample", "colour", "write", "idle"] { XCTAssertTrue(report.contains(word), report) }
    }
}
