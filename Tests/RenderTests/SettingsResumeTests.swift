import Foundation
import FrameLoop
import Media
import Net
import Render
import TestSupport
import XCTest

/// The settings record and the resume contract, on a plan set up from a request (real squeezenet1_1,
/// real files): what a render records, read back equal; a checkpoint continues only the same render.
final class SettingsResumeTests: XCTestCase {
    func testThePlanRecordsTheRequestAndTheRecordReadsBackEqual() throws {
        _ = try TestData.store(with: "squeezenet1_1")
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try RenderFixtures.startImage(in: dir)
        var request = RenderFixtures.request(input: input, in: dir)
        request.seed = 7
        request.commandLine += ["--overwrite"]
        let plan = try RenderPlan(request: request)
        let s = plan.settings
        XCTAssertEqual(s.size, "96x96")
        XCTAssertEqual(s.model, "squeezenet1_1")
        XCTAssertEqual(s.seed, 7)
        XCTAssertEqual(s.threads, 1)
        XCTAssertEqual(s.mp4, dir + "/out.mp4")
        XCTAssertEqual(s.command, ["start.png", "--model", "squeezenet1_1"], "--overwrite is not part of the command to repeat")
        let sum = try runTool("sha256sum", [input])
        XCTAssertEqual(s.inputSHA256, String(sum.stdout.prefix(64)))
        XCTAssertEqual(plan.schedule.totalFrames, 2)
        XCTAssertEqual(plan.start.width, 96)
        XCTAssertEqual(plan.outputs.encoder.metadata["comment"], s.compactJSON)
        XCTAssertEqual(try JSONDecoder().decode(RenderSettings.self, from: s.json), s)
        XCTAssertNil(s.firstDifference(from: s))
        // Nothing was written while setting up.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["start.png"])
    }

    func testACheckpointContinuesTheSameRenderAndRefusesAChangedSetting() throws {
        _ = try TestData.store(with: "squeezenet1_1")
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try RenderFixtures.startImage(in: dir)
        let request = RenderFixtures.request(input: input, in: dir)
        let plan = try RenderPlan(request: request)
        var state = plan.initialState
        state.framesDone = 1
        let path = plan.checkpointPath
        let file = try Checkpoint.reserve(at: path, bytes: Checkpoint.sizeBound(settings: plan.settings, width: 96, height: 96, queued: 0))
        try Checkpoint(settings: plan.settings, totalFrames: 2, state: state).save(into: file)

        // The same render, resumed: the plan starts from the checkpoint's state.
        var resumed = request
        resumed.resume = true
        let again = try RenderPlan(request: resumed)
        XCTAssertEqual(again.initialState.framesDone, 1)
        XCTAssertEqual(again.initialState.canvas.pixels, state.canvas.pixels)

        // Another seed makes other frames: refused, naming the setting and what to do.
        var reseeded = resumed
        reseeded.seed = 3
        XCTAssertEqual(RenderFixtures.message { _ = try RenderPlan(request: reseeded) },
                       "--resume: the checkpoint \(path) was made with seed = 0 (--seed), this command gives 3; run the same "
                       + "command as before with --resume, or start again with --overwrite")

        // Without --resume the interrupted render's checkpoint is not silently replaced.
        XCTAssertEqual(RenderFixtures.message { _ = try RenderPlan(request: request) },
                       "an interrupted render left the checkpoint \(path); add --resume to continue it, or --overwrite to start again")
    }

    func testASettingsKeyIsNamedInTheCommandsWords() {
        XCTAssertEqual(RenderSettings.setting("encoder.crf"), "--crf")
        XCTAssertEqual(RenderSettings.setting("encoder.chroma"), "the encoder")
        XCTAssertEqual(RenderSettings.setting("schedule.segments[0].layers"), "the schedule, or an option that overrides it")
        XCTAssertEqual(RenderSettings.setting("inputSHA256"), "the input's content")
    }
}
