import Foundation
import Imaging
import Media
import Render
import TestSupport
import XCTest

/// `dream`'s setup, called directly on real squeezenet1_1 weights and real files.
final class DreamPlanTests: XCTestCase {
    func testATinyPictureIsRaisedWithANoteAndTheLayersChannelsAreKept() throws {
        _ = try TestData.store(with: "squeezenet1_1")
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try PNGWriter.write(RenderFixtures.picture(width: 4, height: 4), to: dir + "/tiny.png")
        var request = DreamRequest(input: dir + "/tiny.png", output: dir + "/out.png")
        request.model = "squeezenet1_1"
        request.layer = "fire7:12,40"
        request.threads = 1
        request.settings.steps = 2
        var notes: [String] = []
        let plan = try DreamPlan(request: request) { notes.append($0) }
        XCTAssertEqual([plan.start.width, plan.start.height], [75, 75])
        XCTAssertEqual(notes.count, 1)
        XCTAssertTrue(notes.first?.hasPrefix("note: \(dir)/tiny.png is 4x4; it is dreamed at 75x75") ?? false, "\(notes)")
        XCTAssertEqual(plan.segment.layerDescription, "fire7:12,40")
        XCTAssertEqual(plan.segment.settings.dream(forFrame: 1).steps, 2)
        XCTAssertFalse(fileExists(dir + "/out.png"), "setting up writes nothing")
    }

    func testTheInputAsOutputIsRefusedBeforeAnythingIsRead() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try RenderFixtures.startImage(in: dir)
        var request = DreamRequest(input: input, output: input)
        request.model = "no_such_model"
        request.overwrite = true
        XCTAssertEqual(RenderFixtures.message { _ = try DreamPlan(request: request) },
                       "-o \(input) is the same file as the input \(input); writing it would destroy what the render reads, "
                       + "with or without --overwrite: choose another -o")
    }
}

/// `gallery`'s setup, called directly.
final class GalleryPlanTests: XCTestCase {
    func testTheTilesAreTheLayersListedWithTheirChannelsLaidOutInAGrid() throws {
        _ = try TestData.store(with: "squeezenet1_1")
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try RenderFixtures.startImage(in: dir)
        var request = GalleryRequest(input: input, output: dir + "/sheet.png")
        request.model = "squeezenet1_1"
        request.layers = "fire3,fire5:4,9,fire9"
        request.size = OutputSize(width: 96, height: 80)
        request.threads = 1
        let plan = try GalleryPlan(request: request)
        XCTAssertEqual(plan.tiles.map(\.label), ["fire3", "fire5:4,9", "fire9"])
        XCTAssertEqual(plan.tiles.map(\.segment.layerDescription), ["fire3", "fire5:4,9", "fire9"])
        XCTAssertEqual([plan.start.width, plan.start.height], [96, 80])
        let total = plan.sheet.size(for: plan.tiles.count)
        XCTAssertGreaterThanOrEqual(total.width, 2 * 96, "three tiles take at least two columns")
        XCTAssertFalse(fileExists(dir + "/sheet.png"), "setting up writes nothing")
    }
}
