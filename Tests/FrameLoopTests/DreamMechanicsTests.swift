import XCTest
import Net
import FrameLoop
import Imaging
import Schedule

/// Octave dreaming and the frame loop against EdgeEnergyNetwork (exact gradient, fast).
final class DreamMechanicsTests: XCTestCase {
    func start() -> FloatImage { TestImages.smooth(width: 90, height: 70) }

    func testDreamRaisesTheObjectiveAndStaysInRange() throws {
        let net = EdgeEnergyNetwork()
        let obj = Objective(layer: "edges")
        let img = start()
        var rng = SeededRandom(seed: 1)
        let out = try dream(img, network: net, objective: obj,
                            settings: DreamSettings(octaves: 2, octaveScale: 1.4, steps: 4, stepSize: 1.5, jitter: 8, minimumOctaveSide: 32), rng: &rng)
        XCTAssertEqual(out.width, 90); XCTAssertEqual(out.height, 70)
        let before = try net.gradient(of: obj, at: img.tensor).value
        let after = try net.gradient(of: obj, at: out.tensor).value
        XCTAssertGreaterThan(after, before * 1.5)
        XCTAssertGreaterThanOrEqual(out.pixels.min()!, 0)
        XCTAssertLessThanOrEqual(out.pixels.max()!, 255)
    }

    func testOctavesRunSmallestFirstAtTheRightSizes() throws {
        let net = EdgeEnergyNetwork()
        var rng = SeededRandom(seed: 1)
        let settings = DreamSettings(octaves: 3, octaveScale: 1.4, steps: 2, stepSize: 1, jitter: 4, minimumOctaveSide: 20)
        _ = try dream(start(), network: net, objective: Objective(layer: "edges"), settings: settings, rng: &rng)
        XCTAssertEqual(net.calls.map { "\($0.width)x\($0.height)" }, ["46x36", "46x36", "64x50", "64x50", "90x70", "90x70"])
        // Octaves that would be too small are skipped.
        let sizes = DreamSettings(octaves: 5, octaveScale: 2, minimumOctaveSide: 20).octaveSizes(width: 90, height: 70)
        XCTAssertEqual(sizes.map(\.width), [45, 90])
    }

    func testSameSeedSameDreamDifferentSeedDifferentDream() throws {
        let settings = DreamSettings(octaves: 2, steps: 3, stepSize: 2, jitter: 16, minimumOctaveSide: 32)
        func run(_ seed: UInt64) throws -> FloatImage {
            var rng = SeededRandom(seed: seed)
            return try dream(start(), network: EdgeEnergyNetwork(), objective: Objective(layer: "edges"), settings: settings, rng: &rng)
        }
        let a = try run(5), b = try run(5), c = try run(6)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    func testJitterIsRolledBack() throws {
        // With zero jitter and with jitter, the dream must stay aligned with the picture: the change
        // is concentrated where the picture has edges, not shifted by the roll.
        var img = FloatImage(width: 64, height: 64, fill: 100)
        for c in 0..<3 { for y in 0..<64 { img.pixels[c * 4096 + y * 64 + 32] = 160 } }   // one bright column
        var rng = SeededRandom(seed: 3)
        let out = try dream(img, network: EdgeEnergyNetwork(), objective: Objective(layer: "edges"),
                            settings: DreamSettings(octaves: 1, steps: 1, stepSize: 1, jitter: 20), rng: &rng)
        var change = [Float](repeating: 0, count: 64)
        for x in 0..<64 { change[x] = abs(out.pixels[30 * 64 + x] - img.pixels[30 * 64 + x]) }
        XCTAssertEqual(change.firstIndex(of: change.max()!), 32)
    }

    func testFrameLoopWritesEveryFrameWithItsSegment() throws {
        let schedule = try Schedule(json: """
            {"defaults": {"octaves": 1, "steps": 1, "jitter": 4, "zoom": 1.1},
             "segments": [{"layer": "edges", "frames": 2}, {"layers": {"edges": 0.5}, "frames": 2, "zoom": 1}]}
            """, source: "t.json").resolved(layers: ["edges"], network: "edge_energy")
        let sink = CollectingSink()
        var reports: [FrameProgress] = []
        let last = try ZoomLoop().run(start: start(), network: EdgeEnergyNetwork(), schedule: schedule, seed: 9, sink: sink) {
            reports.append($0)
        }
        XCTAssertEqual(sink.frames.count, 4)
        XCTAssertEqual(sink.frames.last, last)
        XCTAssertTrue(sink.frames.allSatisfy { $0.width == 90 && $0.height == 70 })
        XCTAssertEqual(reports.map(\.frame), [1, 2, 3, 4])
        XCTAssertEqual(reports.map(\.total), [4, 4, 4, 4])
        XCTAssertEqual(reports.map(\.segment), [0, 0, 1, 1])
        XCTAssertEqual(reports.map(\.layers), ["edges", "edges", "edges*0.5", "edges*0.5"])
        XCTAssertEqual(reports.last!.secondsLeft, 0)
        XCTAssertTrue(reports.allSatisfy { $0.seconds >= 0 && $0.meanSeconds >= 0 })
        // Same seed, same video.
        let again = CollectingSink()
        try ZoomLoop().run(start: start(), network: EdgeEnergyNetwork(), schedule: schedule, seed: 9, sink: again)
        XCTAssertEqual(again.frames, sink.frames)
    }
}
