import Foundation
import XCTest
import TestSupport

/// Nothing a user owns is lost (issue 10, items 1, 4, 5 and 13): no output is a file the render reads,
/// the files written beside an output replace only files dreamvideo wrote, --overwrite leaves no
/// stale frames, a crafted checkpoint is one error line, and a tiny picture renders.
final class NothingLostTests: CommandTestCase {
    /// A render of two 96x80 frames in about a second; each test adds its outputs.
    let tiny = ["--model", "squeezenet1_1", "--layer", "fire2", "--size", "96x80", "--frames", "2",
                "--octaves", "1", "--steps", "1", "--threads", "1"]

    /// A test photo copied into the working directory as `name` (the tests may link, replace or change it).
    @discardableResult
    func local(_ photo: String = "dog.jpg", as name: String = "in.jpg") throws -> String {
        let path = dir + "/" + name
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: try testPhoto(photo), toPath: path)
        return name
    }

    func bytes(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)) }

    func succeeds(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Run {
        let run = try dreamvideo(args)
        XCTAssertFalse(run.crashed, run.stderr, file: file, line: line)
        XCTAssertEqual(run.status, 0, run.stderr, file: file, line: line)
        return run
    }

    /// Width and height from a PNG's IHDR (bytes 16...23, big-endian).
    func pngSize(_ name: String) throws -> (Int, Int) {
        let d = [UInt8](try bytes(name))
        guard d.count > 24 else { throw Problem("\(name) is not a PNG") }
        func be(_ i: Int) -> Int { d[i..<i + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be(16), be(20))
    }

    // MARK: item 1: files beside the output

    /// The issue's case: a schedule named like the frame folder's settings record is never replaced.
    /// A file of the user's at OUT.json is refused with and without --overwrite; our own record is
    /// replaced only with --overwrite.
    func testSettingsFileNeverReplacesAUsersFile() throws {
        let input = try local()
        let schedule = #"{"model": "squeezenet1_1", "segments": [{"layer": "fire2", "frames": 2, "octaves": 1, "steps": 1}]}"#
        try write(schedule, to: "spiral.json")
        for extra in [[], ["--overwrite"]] {
            try expectRefusal([input, "--schedule", "spiral.json", "--frames-dir", "spiral", "--size", "96x80"] + extra,
                              mentions: ["spiral.json", "--schedule", "--frames-dir spiral", "choose another --frames-dir"])
        }
        XCTAssertEqual(try String(contentsOfFile: dir + "/spiral.json", encoding: .utf8), schedule)

        try write("my notes\n", to: "out.mp4.json")
        for extra in [[], ["--overwrite"]] {
            try expectRefusal([input, "-o", "out.mp4"] + tiny + extra,
                              mentions: ["out.mp4.json", "not a settings record dreamvideo wrote", "move it away", "-o"])
        }
        XCTAssertEqual(try String(contentsOfFile: dir + "/out.mp4.json", encoding: .utf8), "my notes\n")

        // Our own record (the video itself deleted since): kept without --overwrite, replaced with it.
        try FileManager.default.removeItem(atPath: dir + "/out.mp4.json")
        _ = try succeeds([input, "-o", "out.mp4"] + tiny)
        try FileManager.default.removeItem(atPath: dir + "/out.mp4")
        try expectRefusal([input, "-o", "out.mp4"] + tiny, mentions: ["out.mp4.json", "earlier render", "--overwrite"])
        _ = try succeeds([input, "-o", "out.mp4", "--overwrite"] + tiny)
        XCTAssertEqual(try listing(), ["in.jpg", "out.mp4", "out.mp4.json", "spiral.json"])
    }

    /// A file at OUT.checkpoint that dreamvideo did not write (text, a symlink, a FIFO) is never replaced
    /// or removed, not even with --overwrite; our own checkpoint is removed by --overwrite.
    func testCheckpointThatIsNotOursIsNeverReplaced() throws {
        let input = try local()
        try write("a checkpoint of another program\n", to: "out.mp4.checkpoint")
        for extra in [[], ["--overwrite"], ["--resume"]] {
            try expectRefusal([input, "-o", "out.mp4"] + tiny + extra,
                              mentions: ["out.mp4.checkpoint", "not a checkpoint dreamvideo wrote", "move it away"])
        }
        XCTAssertEqual(try String(contentsOfFile: dir + "/out.mp4.checkpoint", encoding: .utf8), "a checkpoint of another program\n")

        try FileManager.default.removeItem(atPath: dir + "/out.mp4.checkpoint")
        try write("elsewhere\n", to: "elsewhere.txt")
        try FileManager.default.createSymbolicLink(atPath: dir + "/out.mp4.checkpoint", withDestinationPath: "elsewhere.txt")
        try expectRefusal([input, "-o", "out.mp4", "--overwrite"] + tiny, mentions: ["out.mp4.checkpoint", "symbolic link"])
        try FileManager.default.removeItem(atPath: dir + "/out.mp4.checkpoint")
        XCTAssertEqual(mkfifo(dir + "/out.mp4.checkpoint", 0o644), 0)
        try expectRefusal([input, "-o", "out.mp4", "--overwrite"] + tiny, mentions: ["out.mp4.checkpoint", "FIFO"])
        try FileManager.default.removeItem(atPath: dir + "/out.mp4.checkpoint")

        // Ours: an interrupted render's checkpoint; --overwrite starts again and removes it.
        try checkpointed([input, "--frames-dir", "frames"] + tiny, primary: "frames")
        try expectRefusal([input, "--frames-dir", "frames"] + tiny, mentions: ["frames.checkpoint", "--resume", "--overwrite"])
        _ = try succeeds([input, "--frames-dir", "frames", "--overwrite"] + tiny)
        XCTAssertEqual(try listing(), ["elsewhere.txt", "frames", "frames.json", "in.jpg"])
        XCTAssertEqual(try String(contentsOfFile: dir + "/elsewhere.txt", encoding: .utf8), "elsewhere\n")
    }

    // MARK: item 4: an output that is an input

    /// -o naming the input by another path, a symlink or a hard link, with --overwrite, is refused
    /// naming both, and so is an output that is the --palette, --guide or --schedule file.
    func testOutputEqualToInputByInodeIsRefused() throws {
        let input = try local()
        let original = try bytes(input)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.jpg", withDestinationPath: "in.jpg")
        try FileManager.default.linkItem(atPath: dir + "/in.jpg", toPath: dir + "/hard.jpg")
        for output in ["in.jpg", "./in.jpg", dir + "/in.jpg", "link.jpg", "hard.jpg"] {
            try expectRefusal([input, "-o", output, "--overwrite"] + tiny, mentions: ["-o \(output)", "the input in.jpg", "choose another -o"])
        }
        try local(as: "other.jpg")
        try expectRefusal([input, "-o", "other.jpg", "--palette", "other.jpg", "--overwrite"] + tiny, mentions: ["-o other.jpg", "--palette other.jpg"])
        try expectRefusal([input, "-o", "other.jpg", "--guide", "./other.jpg", "--overwrite"] + tiny, mentions: ["-o other.jpg", "--guide ./other.jpg"])
        let schedule = #"{"model": "squeezenet1_1", "segments": [{"layer": "fire2", "frames": 2, "octaves": 1, "steps": 1}]}"#
        try write(schedule, to: "s.json")
        try expectRefusal([input, "--schedule", "s.json", "-o", "s.json", "--overwrite", "--size", "96x80"], mentions: ["-o s.json", "--schedule s.json"])
        // A frame file the render would write that is the palette.
        try FileManager.default.createDirectory(atPath: dir + "/frames", withIntermediateDirectories: false)
        try FileManager.default.linkItem(atPath: dir + "/other.jpg", toPath: dir + "/frames/frame_00001.png")
        try expectRefusal([input, "--frames-dir", "frames", "--palette", "other.jpg", "--overwrite"] + tiny,
                          mentions: ["frames/frame_00001.png", "--palette other.jpg"])
        // dream writes a still: the same rule.
        try FileManager.default.createSymbolicLink(atPath: dir + "/still.png", withDestinationPath: "in.jpg")
        try expectRefusal(["dream", input, "-o", "still.png", "--overwrite", "--model", "squeezenet1_1"], mentions: ["-o still.png", "the input in.jpg"])
        XCTAssertEqual(try bytes(input), original)
        XCTAssertEqual(try String(contentsOfFile: dir + "/s.json", encoding: .utf8), schedule)
    }

    /// A folder of frames is a video input: --frames-dir may not be that folder (reached by any path).
    func testFramesDirThatIsTheVideoInputsOwnFolderIsRefused() throws {
        try FileManager.default.createDirectory(atPath: dir + "/src", withIntermediateDirectories: false)
        let r = try runTool("ffmpeg", ["-v", "error", "-i", try testPhoto("dog.jpg"), "-vf", "scale=96:80", "src/frame_00001.png"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        for n in 2...3 { try FileManager.default.copyItem(atPath: dir + "/src/frame_00001.png", toPath: dir + "/src/frame_0000\(n).png") }
        let before = try (1...3).map { try bytes("src/frame_0000\($0).png") }
        for folder in ["src", "./src/", dir + "/src"] {
            try expectRefusal(["src", "--frames-dir", folder, "--overwrite"] + tiny, mentions: ["--frames-dir \(folder)", "the input src"])
        }
        XCTAssertEqual(try (1...3).map { try bytes("src/frame_0000\($0).png") }, before)
    }

    /// --overwrite into a frame folder that holds a longer earlier render: its frames beyond the new
    /// count are removed before the render writes; files that are not exactly our frame names stay.
    /// Something named like a frame that is not a regular file stops the render before it removes anything.
    func testStaleFramesBeyondTheNewCountAreRemovedOnOverwrite() throws {
        let input = try local()
        _ = try succeeds([input, "--frames-dir", "frames"] + tiny.map { $0 == "2" ? "4" : $0 })
        XCTAssertEqual(try listing(dir + "/frames"), (1...4).map { "frame_0000\($0).png" })
        for name in ["frame_7.png", "notes.txt", "frame_00003.png.bak", "frame_0003.png", "Frame_00004.png"] {
            try write("the user's\n", to: "frames/" + name)
        }
        try FileManager.default.createDirectory(atPath: dir + "/frames/frame_00009.png", withIntermediateDirectories: false)
        try expectRefusal([input, "--frames-dir", "frames", "--overwrite"] + tiny, mentions: ["frames/frame_00009.png", "not a regular file"])
        XCTAssertEqual(try listing(dir + "/frames").filter { $0.hasPrefix("frame_0000") && $0.hasSuffix("png") }.count, 5)
        try FileManager.default.removeItem(atPath: dir + "/frames/frame_00009.png")

        _ = try succeeds([input, "--frames-dir", "frames", "--overwrite"] + tiny)
        XCTAssertEqual(try listing(dir + "/frames"),
                       ["Frame_00004.png", "frame_00001.png", "frame_00002.png", "frame_00003.png.bak", "frame_0003.png", "frame_7.png", "notes.txt"])
    }

    // MARK: item 5: checkpoints from a file

    /// Renders `args` (whose frames go to `primary`), then writes beside it the checkpoint a render
    /// stopped after frame `framesDone` would have left: the settings that render wrote, its frame
    /// count, and a state with a 96x80 canvas; `change` alters the state first. Made by hand rather than
    /// by interrupting a render: the same file every run, in a second.
    @discardableResult
    func checkpointed(_ args: [String], primary: String, framesDone: Int = 1,
                      change: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        _ = try succeeds(args)
        let settings = try JSONSerialization.jsonObject(with: try bytes(primary + ".json"))
        let canvas: [String: Any] = ["width": 96, "height": 80, "float32le": Data(count: 96 * 80 * 3 * 4).base64EncodedString()]
        var state: [String: Any] = ["canvas": canvas, "framesDone": framesDone, "rng": ["s0": 1, "s1": 2, "s2": 3, "s3": 4], "queued": []]
        change(&state)
        let checkpoint: [String: Any] = ["format": 1, "settings": settings, "totalFrames": 2, "state": state]
        let path = primary + ".checkpoint"
        try JSONSerialization.data(withJSONObject: checkpoint).write(to: URL(fileURLWithPath: dir + "/" + path))
        return path
    }

    /// The issue's crash: a canvas 2^62+1 wide and 1 high, whose `3*w*h*4` wrapped to the 12 bytes
    /// given, corrupted the heap. Now one error line naming the checkpoint, and so for a queued frame.
    func testCheckpointWithOverflowingCanvasIsRefused() throws {
        let input = try local()
        let huge: [String: Any] = ["width": (1 << 62) + 1, "height": 1, "float32le": Data(count: 12).base64EncodedString()]
        let args = [input, "--frames-dir", "frames"] + tiny
        try checkpointed(args, primary: "frames") { $0["canvas"] = huge }
        try expectRefusal(args + ["--resume"], mentions: ["frames.checkpoint", "4611686018427387905x1", "96x80", "--overwrite"])
        try checkpointed(args + ["--overwrite"], primary: "frames") { $0["queued"] = [huge] }
        try expectRefusal(args + ["--resume"], mentions: ["frames.checkpoint", "4611686018427387905x1", "queued", "--overwrite"])
        // --overwrite (as the message says) starts again and replaces it: it is ours, only damaged.
        _ = try succeeds(args + ["--overwrite"])
        XCTAssertEqual(try listing(), ["frames", "frames.json", "in.jpg"])
    }

    /// Queued frames of the right size, but more than a cadence group can hold; a frame count and a
    /// random state no render makes.
    func testCheckpointWithImpossibleCountsIsRefused() throws {
        let input = try local()
        let args = [input, "--frames-dir", "frames"] + tiny
        try checkpointed(args, primary: "frames") { $0["queued"] = Array(repeating: $0["canvas"]!, count: 20) }
        try expectRefusal(args + ["--resume"], mentions: ["frames.checkpoint", "20 queued frames", "--overwrite"])
        try checkpointed(args + ["--overwrite"], primary: "frames") { $0["framesDone"] = -5 }
        try expectRefusal(args + ["--resume"], mentions: ["frames.checkpoint", "-5 frames", "--overwrite"])
        try checkpointed(args + ["--overwrite"], primary: "frames") { $0["framesDone"] = Int.max }
        try expectRefusal(args + ["--resume"], mentions: ["frames.checkpoint", "\(Int.max) frames", "--overwrite"])
        try checkpointed(args + ["--overwrite"], primary: "frames") { $0["rng"] = ["s0": 0, "s1": 0, "s2": 0, "s3": 0] }
        try expectRefusal(args + ["--resume"], mentions: ["frames.checkpoint", "random state", "--overwrite"])
    }

    /// The file is measured before it is read: a FIFO would block, a sparse terabyte would be
    /// allocated. Both refused at once, from fstat.
    func testCheckpointThatIsAFIFOOrHugeIsRefusedBeforeReading() throws {
        let input = try local()
        let args = [input, "--frames-dir", "frames"] + tiny
        _ = try succeeds(args)
        XCTAssertEqual(mkfifo(dir + "/frames.checkpoint", 0o644), 0)
        try expectRefusal(args + ["--resume"], mentions: ["frames.checkpoint", "FIFO"])
        try FileManager.default.removeItem(atPath: dir + "/frames.checkpoint")
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/frames.checkpoint", contents: nil))
        XCTAssertEqual(truncate(dir + "/frames.checkpoint", 1 << 40), 0)
        try expectRefusal(args + ["--resume"], mentions: ["frames.checkpoint", "1099511627776 bytes", "96x80"])
    }

    // MARK: --resume with other settings

    /// The control for the refusals below: the hand-made checkpoint continues a render with the same
    /// settings (frame 2 is made again and the checkpoint removed).
    func testResumeWithTheSameSettingsContinues() throws {
        let input = try local()
        let args = [input, "--frames-dir", "frames"] + tiny
        try checkpointed(args, primary: "frames")
        let run = try succeeds(args + ["--resume"])
        XCTAssertTrue(run.stderr.contains("resuming after frame 1 of 2"), run.stderr)
        XCTAssertEqual(try listing(), ["frames", "frames.json", "in.jpg"])
    }

    /// Makes a checkpoint of `args`, then resumes with `change` applied: refused with one line naming
    /// the key, the earlier value and the option, touching nothing.
    func expectResumeRefused(_ args: [String], primary: String, change: ([String]) -> [String],
                             mentions: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let checkpoint = try checkpointed(args, primary: primary)
        let before = try bytes(checkpoint)
        try expectRefusal(change(args) + ["--resume"], mentions: [checkpoint, "--overwrite"] + mentions, file: file, line: line)
        XCTAssertEqual(try bytes(checkpoint), before, file: file, line: line)
    }

    func replacing(_ option: String, with value: String) -> ([String]) -> [String] {
        { args in
            var a = args
            if let i = a.firstIndex(of: option) { a[i + 1] = value } else { a += [option, value] }
            return a
        }
    }

    func testResumeIsRefusedForAnotherSeed() throws {
        try expectResumeRefused([try local(), "--frames-dir", "frames"] + tiny, primary: "frames",
                                change: replacing("--seed", with: "5"), mentions: ["seed = 0", "--seed", "5"])
    }

    func testResumeIsRefusedForAnotherSize() throws {
        try expectResumeRefused([try local(), "--frames-dir", "frames"] + tiny, primary: "frames",
                                change: replacing("--size", with: "128x96"), mentions: ["size = 96x80", "--size", "128x96"])
    }

    func testResumeIsRefusedForAnotherSchedule() throws {
        try expectResumeRefused([try local(), "--frames-dir", "frames"] + tiny, primary: "frames",
                                change: replacing("--steps", with: "2"), mentions: ["schedule.", "the schedule"])
    }

    func testResumeIsRefusedForAnotherModel() throws {
        try expectResumeRefused([try local(), "--frames-dir", "frames"] + tiny, primary: "frames",
                                change: { self.replacing("--layer", with: "features_2")(self.replacing("--model", with: "mobilenet_v2")($0)) },
                                mentions: ["model = squeezenet1_1", "--model", "mobilenet_v2"])
    }

    func testResumeIsRefusedForOtherThreads() throws {
        try expectResumeRefused([try local(), "--frames-dir", "frames"] + tiny, primary: "frames",
                                change: replacing("--threads", with: "2"), mentions: ["threads = 1", "--threads"])
    }

    /// Each encoder setting the README lists: crf, codec, preset, fps.
    func testResumeIsRefusedForOtherEncoderSettings() throws {
        let input = try local()
        let cases: [(String, String, String)] = [("--crf", "20", "encoder.crf = 18"), ("--codec", "libx265", "encoder.codec = libx264"),
                                                 ("--preset", "fast", "encoder.preset = medium"), ("--fps", "25", "encoder.fps = 30")]
        for (option, value, was) in cases {
            try expectResumeRefused([input, "-o", "out.mp4", "--overwrite"] + tiny, primary: "out.mp4",
                                    change: replacing(option, with: value), mentions: [was, option, value])
        }
    }

    /// A checkpoint whose MP4 was cut short (it no longer holds the frames to continue): refused in one
    /// line that says which video and what to do, the video and checkpoint left as they are.
    func testResumeIsRefusedForACutVideo() throws {
        let args = [try local(), "-o", "out.mp4", "--overwrite"] + tiny
        let checkpoint = try checkpointed(args, primary: "out.mp4")
        let video = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/out.mp4"))
        try video.truncate(atOffset: 64)
        try video.close()
        let before = try bytes("out.mp4")
        try expectRefusal(args + ["--resume"], mentions: ["--resume: cannot continue the video", "out.mp4", "without --resume"])
        XCTAssertEqual(try bytes("out.mp4"), before)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + checkpoint))
    }

    /// The same path, another picture: the input's content decides.
    func testResumeIsRefusedForAnotherInputImage() throws {
        let input = try local()
        let args = [input, "--frames-dir", "frames"] + tiny
        let checkpoint = try checkpointed(args, primary: "frames")
        try local("eagle.jpg", as: "in.jpg")
        try expectRefusal(args + ["--resume"], mentions: [checkpoint, "inputSHA256 = ", "the input's content"])
    }

    // MARK: item 13: small pictures

    /// A 1x1 and an 8x2000 picture, without --size, once said "--size 0x0 is out of range". Now they
    /// are scaled up to the smallest size the networks take (76: 75 made even for H.264), with one line
    /// saying so; an explicit --size out of range is still refused as such.
    func testTinyImageIsScaledUpWithANote() throws {
        for (name, w, h, expected) in [("one.png", 1, 1, (76, 76)), ("thin.png", 8, 2000, (76, 1080))] {
            let r = try runTool("ffmpeg", ["-v", "error", "-i", try testPhoto("dog.jpg"), "-vf", "scale=\(w):\(h)", "-frames:v", "1", name], in: dir)
            XCTAssertEqual(r.status, 0, r.stderr)
            let folder = "f-" + name
            let run = try succeeds([name, "--model", "squeezenet1_1", "--layer", "fire2", "--frames", "1", "--octaves", "1",
                                    "--steps", "1", "--frames-dir", folder])
            let note = run.stderrLines.first { $0.hasPrefix("note: \(name) is \(w)x\(h)") } ?? ""
            XCTAssertTrue(note.contains("\(expected.0)x\(expected.1)") && note.contains("scaled up") && note.contains("--size"), run.stderr)
            XCTAssertFalse(run.stderr.contains("out of range"), run.stderr)
            let size = try pngSize(folder + "/frame_00001.png")
            XCTAssertTrue(size == expected, "\(name): frames are \(size), not \(expected)")
        }
        let still = try succeeds(["dream", "one.png", "-o", "d.png", "--model", "squeezenet1_1", "--octaves", "1", "--steps", "1"])
        XCTAssertTrue(still.stderr.contains("note: one.png is 1x1"), still.stderr)
        let size = try pngSize("d.png")
        XCTAssertTrue(size == (75, 75), "dream of a 1x1 picture is \(size)")
        try expectRefusal(["one.png", "--size", "1x1", "--frames-dir", "x"] + ["--model", "squeezenet1_1"], mentions: ["--size 1x1", "out of range"])
    }
}
