import Foundation
import Net
import XCTest
import TestSupport

/// Each mistake a person can make on the command line: the command exits non-zero with one line on
/// stderr that starts with "error:" and says what is wrong, and leaves no output behind.
final class UserErrorTests: CommandTestCase {
    /// A render that works (testTheBaseRenderWorks); each test changes one thing in it.
    func base(input: String? = nil, layer: [String] = ["--layer", "fire2"]) throws -> [String] {
        [try input ?? testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--size", "96x80", "--frames", "2",
         "--octaves", "1", "--steps", "1", "-o", "out.mp4", "--frames-dir", "frames"] + layer
    }

    /// Runs `args`, expects our one-line error mentioning every string of `mentions`, and that the
    /// working directory holds exactly what it held before.
    func expectError(_ args: [String], mentions: [String], environment: [String: String] = [:],
                     file: StaticString = #filePath, line: UInt = #line) throws {
        try expectRefusal(args, mentions: mentions, run: { try self.dreamvideo($0, environment: environment) }, file: file, line: line)
    }

    /// A usage error found by the argument parser: its own several-line usage message is fine, a crash or output is not.
    func expectUsageError(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try listing()
        let run = try dreamvideo(args)
        XCTAssertFalse(run.crashed, "crashed:\n\(run.stderr)", file: file, line: line)
        XCTAssertEqual(run.reason, .exit, file: file, line: line)
        XCTAssertNotEqual(run.status, 0, file: file, line: line)
        XCTAssertFalse(run.stderr.isEmpty, "no message", file: file, line: line)
        XCTAssertEqual(try listing(), before, "the failed run left files behind", file: file, line: line)
    }

    /// The control: without a mistake the same arguments render, so each failure below is caused by its one change.
    func testTheBaseRenderWorks() throws {
        let run = try dreamvideo(try base())
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try listing(), ["frames", "out.mp4", "out.mp4.json"])
        XCTAssertEqual(try listing(dir + "/frames"), ["frame_00001.png", "frame_00002.png"])
    }

    // MARK: the input image

    func testMissingInput() throws {
        try expectError(try base(input: "nosuch.jpg"), mentions: ["nosuch.jpg", "does not exist"])
    }

    func testDirectoryAsInput() throws {
        try FileManager.default.createDirectory(atPath: dir + "/pictures", withIntermediateDirectories: false)
        try expectError(try base(input: "pictures"), mentions: ["pictures", "directory"])
    }

    func testEmptyInput() throws {
        try write("", to: "empty.png")
        try expectError(try base(input: "empty.png"), mentions: ["empty.png", "empty"])
    }

    func testTextFileAsInput() throws {
        try write("a shopping list, not a picture\n", to: "notes.jpg")
        try expectError(try base(input: "notes.jpg"), mentions: ["notes.jpg", "PNG or JPEG"])
    }

    func testTruncatedPNG() throws {
        let png = dir + "/whole.png"
        let r = try runTool("ffmpeg", ["-v", "error", "-i", try testPhoto("dog.jpg"), "-vf", "scale=160:120", png], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: dir + "/cut.png"))
        try FileManager.default.removeItem(atPath: png)
        try expectError(try base(input: "cut.png"), mentions: ["cut.png", "truncated or corrupt PNG"])
    }

    func testTruncatedJPEG() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: try testPhoto("dog.jpg")))
        try bytes.prefix(bytes.count * 6 / 10).write(to: URL(fileURLWithPath: dir + "/cut.jpg"))
        try expectError(try base(input: "cut.jpg"), mentions: ["cut.jpg", "truncated or corrupt JPEG"])
    }

    /// A PNG whose header says 900000x900000: refused from the header, with the memory it would
    /// need, before a byte of pixels is allocated (no machine has the ~26 TB).
    func testImageTooLargeForMemory() throws {
        try Data(CraftedPNG.headerOnly(width: 900_000, height: 900_000)).write(to: URL(fileURLWithPath: dir + "/huge.png"))
        try expectError(try base(input: "huge.png"), mentions: ["huge.png", "900000x900000", "needs about", "TB", "scale it down"])
    }

    // MARK: network and layer

    func testUnknownModel() throws {
        try expectError(try base() + ["--model", "resnet50"], mentions: ["resnet50", "squeezenet1_1", "inception_v3"])
    }

    func testUnknownLayerSuggestsTheClosest() throws {
        try expectError(try base(layer: ["--layer", "fire22"]), mentions: ["fire22", "did you mean \"fire2\""])
    }

    func testBadChannelIndexNamesTheValidRange() throws {
        try expectError(try base(layer: ["--layer", "fire3:9999"]), mentions: ["channel 9999", "fire3", "0...127"])
    }

    func testMalformedChannelListIsRefused() throws {
        try expectError(try base(layer: ["--layer", "fire3:x"]), mentions: ["fire3:x", "mixed_5:12"])
    }

    func testMissingWeightsSayToRunMakeModels() throws {
        let empty = dir + "/no-models"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
        try expectError(try base(), mentions: ["squeezenet1_1", "make models"], environment: ["DREAMVIDEO_MODELS": empty])
    }

    func testCorruptWeightsFailTheirChecksum() throws {
        let models = dir + "/models"
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: false)
        let real = try ModelStore(environment: ProcessInfo.processInfo.environment).url(of: "squeezenet1_1").path
        // Weights without their checksum are refused, so the real ones must have it: fail loudly, never skip.
        guard FileManager.default.fileExists(atPath: real + ".sha256") else {
            return XCTFail("\(real).sha256 is missing; run `make models` to record the checksums")
        }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: real))
        bytes[bytes.count / 2] ^= 0x10   // one bit inside the weights: the header still parses
        try bytes.write(to: URL(fileURLWithPath: models + "/squeezenet1_1.safetensors"))
        try FileManager.default.copyItem(atPath: real + ".sha256", toPath: models + "/squeezenet1_1.safetensors.sha256")
        try expectError(try base(), mentions: ["squeezenet1_1.safetensors", "SHA-256", "make models"],
                        environment: ["DREAMVIDEO_MODELS": models])
    }

    // MARK: schedules

    func testScheduleThatIsNotJSONNamesFileAndLine() throws {
        let path = try write("""
            {"model": "squeezenet1_1",
             "segments": [
               {"layer": "fire2" "frames": 2}
             ]}
            """, to: "broken.json")
        try expectError(try base(layer: ["--schedule", path]), mentions: [path + ":3:", "JSON"])
    }

    func testScheduleWithUnknownLayer() throws {
        let path = try write(#"{"model": "squeezenet1_1", "segments": [{"layer": "fire2", "frames": 1}, {"layer": "mixed_4", "frames": 1}]}"#,
                             to: "layers.json")
        try expectError(try base(layer: ["--schedule", path]), mentions: [path, "segments[1]", "mixed_4"])
    }

    func testScheduleWithZeroFrames() throws {
        let path = try write(#"{"model": "squeezenet1_1", "segments": [{"layer": "fire2", "frames": 0}]}"#, to: "zero.json")
        try expectError(try base(layer: ["--schedule", path]), mentions: [path, "segments[0].frames", "at least 1"])
    }

    func testScheduleWithNegativeFrames() throws {
        let path = try write(#"{"model": "squeezenet1_1", "segments": [{"layer": "fire2", "frames": -5}]}"#, to: "negative.json")
        try expectError(try base(layer: ["--schedule", path]), mentions: [path, "segments[0].frames", "at least 1"])
    }

    func testScheduleWithZeroZoom() throws {
        let path = try write(#"{"model": "squeezenet1_1", "segments": [{"layer": "fire2", "frames": 2, "zoom": 0}]}"#, to: "zoom0.json")
        try expectError(try base(layer: ["--schedule", path]), mentions: [path, "zoom", "0.5"])
    }

    func testScheduleWithUnknownTopLevelKey() throws {
        let path = try write(#"{"model": "squeezenet1_1", "segmets": [{"layer": "fire2", "frames": 2}]}"#, to: "top.json")
        try expectError(try base(layer: ["--schedule", path]), mentions: [path, "\"segmets\"", "\"segments\""])
    }

    func testScheduleWithUnknownKey() throws {
        let path = try write(#"{"model": "squeezenet1_1", "segments": [{"layer": "fire2", "frames": 2, "zom": 1.1}]}"#, to: "typo.json")
        try expectError(try base(layer: ["--schedule", path]), mentions: [path, "\"zom\"", "\"zoom\""])
    }

    func testMissingSchedule() throws {
        try expectError(try base(layer: ["--schedule", "no-such-schedule"]), mentions: ["no-such-schedule"])
    }

    // MARK: size and outputs

    func testZeroSize() throws {
        try expectError(try base() + ["--size", "0x0"], mentions: ["--size", "0x0"])
    }

    func testSizeThatIsNotWxH() throws {
        try expectError(try base() + ["--size", "abc"], mentions: ["--size", "abc"])
    }

    func testOddSizeForAnMP4() throws {
        try expectError(try base() + ["--size", "97x80"], mentions: ["97x80", "odd", "98x80"])
    }

    func testAbsurdSize() throws {
        try expectError(try base() + ["--size", "100000x100000"], mentions: ["100000x100000", "out of range"])
    }

    func testOutputInMissingDirectory() throws {
        try expectError(try base() + ["-o", "missing/out.mp4"], mentions: ["missing"])
    }

    /// A folder the command cannot write, every way this machine offers (a read-only tmpfs where mount
    /// is allowed; a mode-0555 folder with the command run unprivileged, which works everywhere).
    func testOutputInReadOnlyDirectory() throws {
        try FileManager.default.copyItem(atPath: try testPhoto("dog.jpg"), toPath: dir + "/dog.jpg")
        for ro in try readOnlyFolders("ro") {
            let name = (ro.path as NSString).lastPathComponent
            try expectRefusal(try base(input: "dog.jpg") + ["-o", name + "/out.mp4", "--frames-dir", name + "/frames"],
                              mentions: [name, ro.reason], run: ro.run)
            try expectRefusal(try base(input: "dog.jpg") + ["-o", "out.mp4", "--frames-dir", name + "/frames"],
                              mentions: [name, ro.reason], run: ro.run)
            XCTAssertEqual(try listing(ro.path), [], ro.how)
        }
    }

    func testOutputThatIsADirectory() throws {
        try FileManager.default.createDirectory(atPath: dir + "/videos", withIntermediateDirectories: false)
        try expectError(try base() + ["-o", "videos", "--overwrite"], mentions: ["videos", "directory"])
    }

    /// A one-character name once tripped a trap in Foundation's path handling.
    func testOneCharacterOutputNameWorks() throws {
        let run = try dreamvideo(try base() + ["-o", "v"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try listing(), ["frames", "v", "v.json"])
    }

    func testWithoutOutputsTheVideoIsNamedForTheInput() throws {
        try FileManager.default.copyItem(atPath: try testPhoto("dog.jpg"), toPath: dir + "/p.jpg")
        let run = try dreamvideo(["p.jpg", "--model", "squeezenet1_1", "--layer", "fire2", "--size", "96x80",
                                  "--frames", "1", "--octaves", "1", "--steps", "1"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try listing(), ["p-dream.mp4", "p-dream.mp4.json", "p.jpg"])
    }

    func testExistingOutputIsKeptWithoutOverwrite() throws {
        try write("an earlier video\n", to: "out.mp4")
        try expectError(try base(), mentions: ["out.mp4", "--overwrite"])
        XCTAssertEqual(try String(contentsOfFile: dir + "/out.mp4", encoding: .utf8), "an earlier video\n")
    }

    func testExistingFramesAreKeptWithoutOverwrite() throws {
        try FileManager.default.createDirectory(atPath: dir + "/frames", withIntermediateDirectories: false)
        try write("an earlier frame\n", to: "frames/frame_00001.png")
        try expectError(try base() + ["-o", "new.mp4"], mentions: ["frames", "frame_*.png", "--overwrite"])
        XCTAssertEqual(try String(contentsOfFile: dir + "/frames/frame_00001.png", encoding: .utf8), "an earlier frame\n")
    }

    func testExistingOutputIsReplacedWithOverwrite() throws {
        try write("an earlier video\n", to: "out.mp4")
        let run = try dreamvideo(try base() + ["--overwrite"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let size = try FileManager.default.attributesOfItem(atPath: dir + "/out.mp4")[.size] as? Int ?? 0
        XCTAssertGreaterThan(size, 1000, "out.mp4 was not replaced by a video")
    }

    func testResumeWithoutACheckpoint() throws {
        try expectError(try base() + ["--resume"], mentions: ["out.mp4.checkpoint", "without --resume"])
    }

    func testDamagedCheckpoint() throws {
        try write("an earlier video\n", to: "out.mp4")
        try write("{\"format\": 1, \"state\": ", to: "out.mp4.checkpoint")
        try expectError(try base() + ["--resume"], mentions: ["out.mp4.checkpoint", "not a checkpoint dreamvideo wrote", "move it away"])
    }

    // MARK: encoder options

    func testCRFOutOfRange() throws {
        try expectError(try base() + ["--crf", "99"], mentions: ["crf", "99"])
    }

    func testZeroFPS() throws {
        try expectError(try base() + ["--fps", "0"], mentions: ["fps", "0"])
    }

    func testUnknownCodec() throws {
        try expectError(try base() + ["--codec", "h263"], mentions: ["h263", "libx264"])
    }

    // MARK: the parser's own usage errors

    func testUsageErrorsDoNotCrash() throws {
        try expectUsageError([])
        try expectUsageError(try base() + ["--fps", "abc"])
        try expectUsageError(try base() + ["--no-such-option"])
        try expectUsageError(try base() + ["--seed"])
    }
}
