import Foundation
import XCTest
import TestSupport

/// Renders that survive: Ctrl-C/SIGTERM and --resume, a second Ctrl-C, a full disk, a long run, and
/// the settings written beside the output.
final class SurviveTests: CommandTestCase {
    /// Slow enough per frame (~0.1 s) that a signal sent after frame 4 lands long before frame 30.
    func renderArgs(frames: Int = 30) throws -> [String] {
        [try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire2", "--size", "160x128",
         "--frames", String(frames), "--octaves", "2", "--steps", "10", "--seed", "7", "--threads", "1"]
    }

    /// Starts the binary without waiting for it.
    func start(_ args: [String]) throws -> (Process, stderr: URL) {
        let err = URL(fileURLWithPath: dir).appendingPathComponent("stderr-\(UUID().uuidString.prefix(6)).log")
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return (p, err)
    }

    /// Waits until `path` exists (the render reached that frame), or the process ended.
    func waitFor(_ path: String, _ p: Process) {
        while !FileManager.default.fileExists(atPath: path) && p.isRunning { usleep(5_000) }
    }

    /// Runs the render in `frames/` + `out.mp4`, sends `signals` once frame `after` exists, waits.
    /// `delay`: how long after frame `after` appeared to send the first signal (into the next frame).
    func interrupted(_ args: [String], after: Int, signals: [Int32], delay: useconds_t = 0, gap: useconds_t = 0) throws -> (status: Int32, stderr: String) {
        let (p, errURL) = try start(args)
        waitFor(dir + "/frames/" + pngNames(after).last!, p)
        usleep(delay)
        XCTAssertTrue(p.isRunning, "the render ended before it could be interrupted")
        for s in signals { kill(p.processIdentifier, s); usleep(gap) }
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit, "killed by the signal instead of stopping cleanly")
        let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        try FileManager.default.removeItem(at: errURL)
        return (p.terminationStatus, stderr)
    }

    func frameCount(_ video: String) throws -> Int {
        let stream = (try ffprobe(video, entries: "stream=nb_read_frames", streams: "v:0", countFrames: true, in: dir)["streams"] as? [[String: Any]])?.first
        return Int(stream?["nb_read_frames"] as? String ?? "") ?? -1
    }

    func pngs(_ folder: String) throws -> [String] {
        try listing(dir + "/" + folder)
    }

    /// Every frame file is complete (ffmpeg decodes the whole sequence) and no temporary is left.
    func assertCompleteFrames(_ folder: String, count: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try pngs(folder), pngNames(count), "frame files", file: file, line: line)
        if count > 0 {
            let decoded = try decodeRGB(folder + "/frame_%05d.png", width: 160, height: 128, in: dir)
            XCTAssertEqual(decoded.frames.count, count, file: file, line: line)
        }
    }

    func pngNames(_ n: Int) -> [String] { (0..<n).map { String(format: "frame_%05d.png", $0 + 1) } }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: dir + "/" + path)) }

    // MARK: interrupt and resume

    /// Ctrl-C, resume, SIGTERM, resume: the PNGs are byte for byte those of a render never
    /// interrupted, and the MP4 holds every frame once, in order.
    func testInterruptedAndResumedRenderMakesTheSameFrames() throws {
        let total = 30
        let whole = try dreamvideo(try renderArgs() + ["-o", "whole.mp4", "--frames-dir", "whole"])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        let args = try renderArgs() + ["-o", "out.mp4", "--frames-dir", "frames"]

        // Ctrl-C: the frame in progress finishes, the MP4 plays with every frame done, a checkpoint is saved.
        let first = try interrupted(args, after: 4, signals: [SIGINT])
        XCTAssertEqual(first.status, 128 + SIGINT, first.stderr)
        XCTAssertTrue(first.stderr.contains("--resume"), "no word on how to continue:\n\(first.stderr)")
        let done1 = try pngs("frames").count
        XCTAssertTrue((4..<total).contains(done1), "\(done1) frames after the interrupt")
        try assertCompleteFrames("frames", count: done1)
        XCTAssertEqual(try frameCount("out.mp4"), done1, "the stopped MP4 does not hold exactly the frames done")
        XCTAssertEqual(try listing(), ["frames", "out.mp4", "out.mp4.checkpoint", "out.mp4.json", "whole", "whole.mp4", "whole.mp4.json"])

        // Without --resume the checkpoint is not silently thrown away; with other settings it is refused.
        let again = try dreamvideo(args)
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("--resume") && again.stderr.contains("out.mp4.checkpoint"), again.stderr)
        let other = try dreamvideo(args.map { $0 == "7" ? "8" : $0 } + ["--resume"])
        XCTAssertNotEqual(other.status, 0)
        XCTAssertTrue(other.stderr.contains("seed = 7") && other.stderr.contains("8"), other.stderr)
        XCTAssertEqual(try frameCount("out.mp4"), done1, "a refused resume touched the video")

        // Resume, then SIGTERM: the same clean stop.
        let second = try interrupted(args + ["--resume"], after: done1 + 3, signals: [SIGTERM])
        XCTAssertEqual(second.status, 128 + SIGTERM, second.stderr)
        let done2 = try pngs("frames").count
        XCTAssertTrue((done1 + 3..<total).contains(done2), "\(done2) frames after the second interrupt")
        XCTAssertEqual(try frameCount("out.mp4"), done2)

        // Resume to the end.
        let last = try dreamvideo(args + ["--resume"])
        XCTAssertEqual(last.status, 0, last.stderr)
        XCTAssertEqual(try listing(), ["frames", "out.mp4", "out.mp4.json", "whole", "whole.mp4", "whole.mp4.json"],
                       "the checkpoint is not removed after the render finished")
        for name in pngNames(total) {
            XCTAssertEqual(try bytes("frames/" + name), try bytes("whole/" + name), "\(name) differs from the uninterrupted render")
        }

        // The MP4: every frame once, in order. Each decoded frame is closest to its own PNG.
        XCTAssertEqual(try frameCount("out.mp4"), total)
        let video = try decodeRGB("out.mp4", width: 160, height: 128, in: dir)
        let truth = try decodeRGB("frames/frame_%05d.png", width: 160, height: 128, in: dir)
        XCTAssertEqual(video.frames.count, total)
        for k in 0..<min(total, video.frames.count) {
            let own = lumaPSNR(video.frames[k], truth.frames[k])
            XCTAssertGreaterThan(own, 30, "MP4 frame \(k + 1) does not look like PNG \(k + 1) (\(own) dB)")
            for j in [k - 1, k + 1] where truth.frames.indices.contains(j) {
                XCTAssertGreaterThan(own, lumaPSNR(video.frames[k], truth.frames[j]), "MP4 frame \(k + 1) is closer to PNG \(j + 1): out of order")
            }
        }
    }

    /// Two Ctrl-Cs: the second stops at once, mid-frame. No temporary is left, every PNG is whole,
    /// and no MP4 that looks finished appears (the render had none to finish from).
    func testSecondInterruptStopsAtOnceLeavingNoBrokenFile() throws {
        // Frames of ~3-6 s; both signals land early in frame 2 (sent 0.3 s and 0.5 s after frame 1
        // was written: had the first come before the loop looked for it, the render would stop cleanly
        // after frame 1 instead, and this test would see a checkpoint).
        let args = [try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire4", "--size", "320x240",
                    "--frames", "3", "--octaves", "3", "--steps", "100", "--threads", "1",
                    "--schedule", "classic",  // every frame dreamed in full: no warm start, no cadence
                    "-o", "out.mp4", "--frames-dir", "frames"]
        let run = try interrupted(args, after: 1, signals: [SIGINT, SIGINT], delay: 300_000, gap: 200_000)
        XCTAssertEqual(run.status, 128 + SIGINT, run.stderr)
        XCTAssertTrue(run.stderr.contains("stopped at once"), run.stderr)
        XCTAssertEqual(try listing(), ["frames"], "a temporary or an unfinished MP4 was left")
        let n = try pngs("frames").count
        XCTAssertEqual(n, 1, "frame 2 was not dropped")
        XCTAssertEqual(try pngs("frames"), pngNames(n), "a temporary frame file was left")
        XCTAssertEqual(try decodeRGB("frames/frame_%05d.png", width: 320, height: 240, in: dir).frames.count, n)
    }

    // MARK: settings

    /// The settings beside the output and in the MP4 say everything needed to make the video again:
    /// the recorded schedule, given back as --schedule with the recorded size, seed and threads, gives
    /// the same frames.
    func testSettingsBesideTheOutputAndInTheMP4Reproduce() throws {
        let run = try dreamvideo([try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire3", "--size", "96x80",
                                  "--frames", "3", "--octaves", "2", "--steps", "2", "--zoom", "1.1", "--seed", "5",
                                  "--threads", "1", "-o", "out.mp4", "--frames-dir", "a"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try bytes("out.mp4.json")
        let settings = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        XCTAssertEqual(settings["version"] as? String, "0.1.0")
        XCTAssertEqual(settings["model"] as? String, "squeezenet1_1")
        XCTAssertEqual(settings["seed"] as? Int, 5)
        XCTAssertEqual(settings["threads"] as? Int, 1)
        XCTAssertEqual(settings["size"] as? String, "96x80")
        XCTAssertEqual((settings["inputSHA256"] as? String)?.count, 64)
        XCTAssertEqual((settings["encoder"] as? [String: Any])?["crf"] as? Int, 18)
        let schedule = try XCTUnwrap(settings["schedule"] as? [String: Any])
        let segment = try XCTUnwrap((schedule["segments"] as? [[String: Any]])?.first)
        XCTAssertEqual(segment["zoom"] as? Double, 1.1)
        XCTAssertEqual(segment["octaves"] as? Int, 2)
        XCTAssertEqual(segment["jitter"] as? Int, 32, "a default is not written out")

        // The MP4's comment tag holds the same settings.
        let probe = try runTool("ffprobe", ["-v", "error", "-show_entries", "format_tags=comment",
                                            "-of", "default=nw=1:nk=1", "out.mp4"], in: dir)
        let tagged = try JSONSerialization.jsonObject(with: Data(probe.stdout.utf8)) as? NSDictionary
        XCTAssertEqual(tagged, settings as NSDictionary, "the MP4's metadata differs from out.mp4.json")

        // Reproduce from the record alone.
        try JSONSerialization.data(withJSONObject: schedule).write(to: URL(fileURLWithPath: dir + "/recorded.json"))
        let again = try dreamvideo([try testPhoto("dog.jpg"), "--schedule", "recorded.json", "--size", "96x80",
                                    "--seed", "5", "--threads", "1", "--frames-dir", "b"])
        XCTAssertEqual(again.status, 0, again.stderr)
        for name in pngNames(3) {
            XCTAssertEqual(try bytes("a/" + name), try bytes("b/" + name), "\(name) is not reproduced from the recorded settings")
        }
    }

    // MARK: a full disk

    /// The frame folder on a small tmpfs that fills mid-render: one clear line, a non-zero exit, the
    /// frames done kept whole, no temporary and no MP4 that looks complete.
    func testDiskFullStopsCleanlyKeepingTheFramesDone() throws {
        let small = try mountTmpfs("small", options: "size=200k")

        let run = try dreamvideo([try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire2", "--size", "160x128",
                                  "--frames", "200", "--octaves", "1", "--steps", "1", "--threads", "1",
                                  "-o", "small/out.mp4", "--frames-dir", "small/frames"])
        XCTAssertFalse(run.crashed, run.stderr)
        XCTAssertNotEqual(run.status, 0)
        let errors = run.stderrLines.filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errors.count, 1, run.stderr)
        XCTAssertTrue(errors.first?.contains("No space left on device") ?? false, run.stderr)
        XCTAssertEqual(try listing(small), ["frames"], "an MP4, temporary or settings file was left on the full disk")
        let n = try listing(small + "/frames").count
        XCTAssertTrue((1..<200).contains(n), "\(n) frames kept")
        XCTAssertEqual(try listing(small + "/frames"), pngNames(n), "a temporary frame file was left")
        XCTAssertEqual(try decodeRGB("small/frames/frame_%05d.png", width: 160, height: 128, in: dir).frames.count, n)
    }

    /// The same with the MP4 alone on the full disk: the error names the video and the full disk,
    /// and no MP4 (nor its temporary) is left to look complete.
    func testDiskFullForTheMP4LeavesNoVideo() throws {
        let small = try mountTmpfs("small", options: "size=100k")

        let run = try dreamvideo([try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire2", "--size", "320x240",
                                  "--frames", "400", "--octaves", "1", "--steps", "1", "--threads", "1", "-o", "small/out.mp4"])
        XCTAssertFalse(run.crashed, run.stderr)
        XCTAssertNotEqual(run.status, 0)
        let errors = run.stderrLines.filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errors.count, 1, run.stderr)
        XCTAssertTrue(errors.first.map { $0.contains("out.mp4") && $0.contains("No space left on device") } ?? false, run.stderr)
        XCTAssertEqual(try listing(small), [], "a video or its temporary was left on the full disk")
    }

    // MARK: a long run

    /// 1000 frames at a small size: resident memory after frame 50 grows by less than 5% to the end.
    func testResidentMemoryStaysFlatOver1000Frames() throws {
        let total = 1000
        let (p, errURL) = try start([try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire3",
                                     "--size", "96x80", "--frames", String(total), "--octaves", "1", "--steps", "1",
                                     "--threads", "1", "-o", "out.mp4", "--frames-dir", "frames"])
        let frame50 = dir + "/frames/" + pngNames(50).last!
        waitFor(frame50, p)
        var atFrame50 = 0, peak = 0
        while p.isRunning {
            if let rss = residentKB(p.processIdentifier) {
                if atFrame50 == 0 { atFrame50 = rss }
                peak = max(peak, rss)
            }
            usleep(20_000)
        }
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
        XCTAssertEqual(try listing(dir + "/frames").count, total)
        XCTAssertGreaterThan(atFrame50, 0, "no memory reading after frame 50")
        let growth = Double(peak - atFrame50) / Double(atFrame50)
        print("resident memory: \(atFrame50) kB after frame 50, peak \(peak) kB to frame \(total) (\(String(format: "%+.2f", 100 * growth))%)")
        XCTAssertLessThan(growth, 0.05, "resident memory grew from \(atFrame50) kB to \(peak) kB")
    }

    /// VmRSS of a running process, in kB.
    func residentKB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }
        return nil
    }
}
