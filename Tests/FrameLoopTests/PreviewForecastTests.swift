import XCTest
@testable import FrameLoop
import Imaging
import Schedule

final class PreviewForecastTests: XCTestCase {
    private let json = """
        {"defaults": {"octaves": 3, "octave_scale": 1.5, "steps": 4, "cadence": 2},
         "segments": [{"layer": "edges", "frames": 6}, {"layer": "edges", "frames": 5, "octaves": 1}]}
        """

    func testPreviewKeepsTheWalkAndDropsAnOctave() throws {
        let full = try Schedule(json: json, source: "t.json")
        let preview = full.preview()
        XCTAssertEqual(preview.segments.map(\.frames), [6, 5])
        XCTAssertEqual(preview.segments.map(\.settings.dream.octaves), [2, 1], "one octave fewer, never below one")
        XCTAssertEqual(preview.segments.map(\.settings.dream.steps), full.segments.map(\.settings.dream.steps))
        XCTAssertEqual(preview.segments.map(\.settings.cadence), full.segments.map(\.settings.cadence))
    }

    func testDreamWorkCountsStepsTimesOctavePixelsOfDreamedFrames() throws {
        let one = try Schedule(json: #"{"defaults": {"octaves": 1, "steps": 3, "cadence": 2, "warm_steps": 3}, "segments": [{"layer": "edges", "frames": 5}]}"#,
                               source: "t.json").resolved(layers: ["edges"], network: "edge_energy")
        // Frames 1, 3 and 5 are dreamed with a cadence of 2: 3 frames x 3 steps x 40x20 pixels.
        XCTAssertEqual(one.dreamWork(width: 40, height: 20), 3 * 3 * 800)
        XCTAssertEqual(one.dreamWork(width: 40, height: 20, everyFrameDreamed: true), 5 * 3 * 800)
    }

    func testForecastScalesNetworkTimeByWorkAndTheRestByPixels() throws {
        let full = try Schedule(json: json, source: "t.json").resolved(layers: ["edges"], network: "edge_energy")
        let preview = try Schedule(json: json, source: "t.json").preview().resolved(layers: ["edges"], network: "edge_energy")
        let f = PreviewForecast(full: full, fullWidth: 640, fullHeight: 360, preview: preview, previewWidth: 320, previewHeight: 180)
        XCTAssertEqual(f.pixelRatio, 4)
        // A quarter of the pixels and one octave fewer: more than 4x less work.
        XCTAssertGreaterThan(f.workRatio, 4)
        XCTAssertEqual(f.fullSeconds(total: 10, network: 10), 10 * f.workRatio, accuracy: 1e-9)
        XCTAssertEqual(f.fullSeconds(total: 10, network: 0), 40, accuracy: 1e-9)
        XCTAssertEqual(f.fullSeconds(total: 10, network: 4), 4 * f.workRatio + 6 * 4, accuracy: 1e-9)
    }
}
