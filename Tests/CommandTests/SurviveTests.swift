import Foundation
import XCTest
import TestSupport

/// Renders that survive: Ctrl-C/SIGTERM and --resume, a second and a third signal, a full disk,
/// planted links, a long run, and the settings written beside the output.
final class SurviveTests: CommandTestCase {
    /// Slow enough per frame (~0.1 s) that a signal sent after frame 4 lands long before frame 30.
    func renderArgs(frames: Int = 30) throws -> [String] {
        [try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire2", "--size", "160x128",
         "--frames", String(frames), "--octaves", "2", "--steps", "10", "--seed", "7", "--threads", "1"]
    }

    func frameCount(_ video: String) throws -> Int {
        let stream = (try ffprobe(video, entries: "stream=nb_read_frames", streams: "v:0", countFrames: true, in: dir)["streams"] as? [[String: Any]])?.first
        return Int(stream?["nb_read_frames"] as? String ?? "") ?? -1
    }

    func pngs(_ folder: String) throws -> [String] {
        try listing(dir + "/" + folder)
    }

    /// Every frame file is complete (ffmpeg decodes the whole sequence) and no temporary is left.
    func assertCompleteFrames(_ folder: String, count: Int, width: Int = 160, height: Int = 128,
                              file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try pngs(folder), pngNames(count), "frame files", file: file, line: line)
        if count > 0 {
            let decoded = try decodeRGB(folder + "/frame_%05d.png", width: width, height: height, in: dir)
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

    /// No hidden file (a temporary) is left in the working folder or below.
    func assertNoTemporaries(_ folder: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        let root = folder ?? dir
        let all = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
        let hidden = all.filter { ($0 as NSString).lastPathComponent.hasPrefix(".") }
        XCTAssertEqual(hidden, [], "temporaries left", file: file, line: line)
    }

    /// Two SIGHUPs in quick succession (a terminal that closes can send two), landing early in frame
    /// 2: the frame in progress is dropped, but the video is finished with frame 1 and plays, a
    /// checkpoint is saved, and --resume finishes the render with every frame once.
    func testSecondSignalFinishesTheVideoWithTheFramesDone() throws {
        // Frames of 1.6 s or more: both signals land early in frame 2 (sent 0.3 and 0.4 s after frame 1
        // was written: had the first come before the loop looked for it, the render would stop cleanly
        // after frame 1 anyway, with the same outputs). With 40 steps a frame took 0.4 s on a Zen 5, so
        // the first signal's stop could finish frame 2 and end the render before the second arrived,
        // which then met the default action (failed once in clean-clone CI).
        let args = [try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire4", "--size", "320x240",
                    "--frames", "3", "--octaves", "3", "--steps", "160", "--threads", "1",
                    "--schedule", "classic",  // every frame dreamed in full: no warm start, no cadence
                    "-o", "out.mp4", "--frames-dir", "frames"]
        let run = try interrupted(args, after: 1, signals: [SIGHUP, SIGHUP], delay: 300_000, gap: 100_000)
        XCTAssertEqual(run.status, 128 + SIGHUP, run.stderr)
        XCTAssertTrue(run.stderr.contains("stopping now"), run.stderr)
        XCTAssertTrue(run.stderr.contains("--resume"), run.stderr)
        XCTAssertEqual(try listing(), ["frames", "out.mp4", "out.mp4.checkpoint", "out.mp4.json"])
        assertNoTemporaries()
        let n = try pngs("frames").count
        XCTAssertEqual(n, 1, "frame 2 was not dropped")
        try assertCompleteFrames("frames", count: 1, width: 320, height: 240)
        XCTAssertEqual(try frameCount("out.mp4"), 1, "the video does not hold the frame done")

        let rest = try dreamvideo(args + ["--resume"])
        XCTAssertEqual(rest.status, 0, rest.stderr)
        XCTAssertEqual(try frameCount("out.mp4"), 3)
        XCTAssertEqual(try listing(), ["frames", "out.mp4", "out.mp4.json"])
        try assertCompleteFrames("frames", count: 3, width: 320, height: 240)
    }

    /// Three signals at once (a Ctrl-C, a SIGTERM, a SIGHUP), well into a render: it stops at once, yet every frame file is whole,
    /// the video keeps the frames of its whole fragments and plays, and no temporary is left.
    func testThirdSignalStopsAtOnceKeepingWhatIsWhole() throws {
        let args = [try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire2", "--size", "96x80",
                    "--frames", "3000", "--octaves", "1", "--steps", "1", "--threads", "1", "-o", "out.mp4", "--frames-dir", "frames"]
        // Three different signals: the kernel merges a signal sent again before it was taken, never
        // two different ones.
        let run = try interrupted(args, after: 150, signals: [SIGINT, SIGTERM, SIGHUP])
        XCTAssertTrue([SIGINT, SIGTERM, SIGHUP].map { 128 + $0 }.contains(run.status), run.stderr)
        XCTAssertTrue(run.stderr.contains("stopped at once"), run.stderr)
        XCTAssertFalse(run.stderr.contains("To continue"), run.stderr)
        assertNoTemporaries()
        let n = try pngs("frames").count
        XCTAssertGreaterThanOrEqual(n, 150)
        try assertCompleteFrames("frames", count: n, width: 96, height: 80)
        let video = try frameCount("out.mp4")
        XCTAssertTrue((1...n).contains(video), "the video holds \(video) frames of \(n)")
        let check = try runTool("ffmpeg", ["-v", "error", "-i", "out.mp4", "-f", "null", "-"], in: dir)
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertFalse(fileExists(dir + "/out.mp4.checkpoint"), "a checkpoint that does not fit the video")
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

    /// Renders `frames` frames into `outputs` (relative to the working folder) on a small disk that
    /// fills, checks the stop, grows the disk and resumes; returns (frames kept, the error line).
    /// Each promise is checked: one error line that says why, how many frames are kept and the
    /// command to continue; the MP4 plays with exactly the frames kept; no temporary; after --resume
    /// the PNGs are byte for byte those of an uninterrupted render and the MP4 holds every frame once.
    func fillAndResume(outputs: [String], video: Bool, pngs hasFrames: Bool, disk diskBytes: Int, fileSizeLimit: Int? = nil, frames total: Int = 60,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let disk = try SmallDisk(at: dir + "/small", bytes: diskBytes, fileSizeLimit: fileSizeLimit)
        addTeardownBlock { disk.unmount() }
        // With a video, the video is what fills (a file-size limit does that too); without, the folder.
        if !video && !disk.fillsFolders {
            return XCTFail("a folder of PNGs can only fill on a small file system, and \(disk.why); run the tests as root (or with CAP_SYS_ADMIN)", file: file, line: line)
        }
        print("small disk: \(disk.why)")
        // Under a file-size limit the checkpoint must fit under it too: no queued frames (cadence 1,
        // ~330 kB), and more frames for the video to reach it (it stopped at frame 144 when tried).
        let total = disk.mounted ? total : 200
        let args = [try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire2", "--size", "160x128",
                    "--frames", String(total), "--octaves", "1", "--steps", "1", "--threads", "1", "--seed", "4"]
            + (disk.mounted ? [] : ["--cadence", "1"])
        func run(_ extra: [String]) throws -> Run {
            let (exe, all) = try disk.command(binary, args + outputs + extra)
            return try runProcess(exe, all, in: dir)
        }
        let full = try run([])
        XCTAssertFalse(full.crashed, full.stderr, file: file, line: line)
        XCTAssertEqual(full.status, 1, full.stderr, file: file, line: line)
        let errors = full.stderrLines.filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errors.count, 1, full.stderr, file: file, line: line)
        let error = errors.first ?? ""
        XCTAssertTrue(disk.mounted ? error.contains("No space left on device") : error.contains("file size limit"), error, file: file, line: line)
        let kept = Int(error.components(separatedBy: "stopped after frame ").dropFirst().first?.prefix { $0.isNumber } ?? "") ?? -1
        XCTAssertTrue((1..<total).contains(kept), "\(kept) frames kept: \(error)", file: file, line: line)
        guard kept >= 1 else { return }
        XCTAssertTrue(error.contains("hold frames 1-\(kept)") || error.contains("holds frames 1-\(kept)"), error, file: file, line: line)
        XCTAssertTrue(error.contains((outputs + ["--resume"]).joined(separator: " ")), "no command to continue: \(error)", file: file, line: line)
        assertNoTemporaries()
        XCTAssertTrue(fileExists(dir + "/" + (video ? "small/out.mp4" : "small/frames") + ".checkpoint"), file: file, line: line)
        if video { XCTAssertEqual(try frameCount("small/out.mp4"), kept, "the video does not hold the frames kept", file: file, line: line) }
        if hasFrames { try assertCompleteFrames("small/frames", count: kept, width: 160, height: 128) }

        try disk.grow(to: 64 << 20)
        let rest = try run(["--resume"])
        XCTAssertEqual(rest.status, 0, rest.stderr, file: file, line: line)
        assertNoTemporaries()
        let expected = (video ? ["out.mp4", "out.mp4.json"] : []) + (hasFrames ? (video ? ["frames"] : ["frames", "frames.json"]) : [])
        XCTAssertEqual(try listing(dir + "/small"), expected.sorted(), file: file, line: line)

        // The reference: the same render, uninterrupted, as PNGs.
        let whole = try dreamvideo(args + ["--frames-dir", "whole"])
        XCTAssertEqual(whole.status, 0, whole.stderr, file: file, line: line)
        if hasFrames {
            for name in pngNames(total) {
                XCTAssertEqual(try bytes("small/frames/" + name), try bytes("whole/" + name), "\(name) differs from the uninterrupted render", file: file, line: line)
            }
        }
        if video {
            // Every frame once, in order: each decoded frame is closest to its own reference PNG.
            let decoded = try decodeRGB("small/out.mp4", width: 160, height: 128, in: dir)
            let truth = try decodeRGB("whole/frame_%05d.png", width: 160, height: 128, in: dir)
            XCTAssertEqual(decoded.frames.count, total, file: file, line: line)
            for k in 0..<min(total, decoded.frames.count) {
                let own = lumaPSNR(decoded.frames[k], truth.frames[k])
                XCTAssertGreaterThan(own, 30, "MP4 frame \(k + 1) does not look like PNG \(k + 1)", file: file, line: line)
                for j in [k - 1, k + 1] where truth.frames.indices.contains(j) {
                    XCTAssertGreaterThan(own, lumaPSNR(decoded.frames[k], truth.frames[j]), "MP4 frame \(k + 1) out of order", file: file, line: line)
                }
            }
        }
    }

    // The disk sizes and file-size limits were chosen from the program's own behaviour (what it holds
    // back for the checkpoint, ~1 MB at 160x128 with two queued frames, and ahead of the video's end,
    // ~1.3 MB) so that each fills between frame 1 and frame 60; the assertions do not depend on where.

    /// The MP4 alone on a disk that fills: it keeps every frame encoded, plays, and --resume finishes it.
    func testDiskFullKeepsThePlayableVideoAndResumes() throws {
        try fillAndResume(outputs: ["-o", "small/out.mp4"], video: true, pngs: false, disk: 1_700_000, fileSizeLimit: 1_000_000)
    }

    /// PNGs alone on a disk that fills: the frames done are kept whole, and --resume finishes them.
    func testDiskFullKeepsTheFramesDoneAndResumes() throws {
        try fillAndResume(outputs: ["--frames-dir", "small/frames"], video: false, pngs: true, disk: 2_000_000)
    }

    /// Both on a disk that fills: the video and the folder hold the same frames, and --resume finishes both.
    func testDiskFullKeepsVideoAndFramesInStepAndResumes() throws {
        try fillAndResume(outputs: ["-o", "small/out.mp4", "--frames-dir", "small/frames"], video: true, pngs: true, disk: 2_200_000, fileSizeLimit: 1_000_000)
    }

    /// Planted links at every temporary name the program used to write (predictable `.NAME.partial`),
    /// one to a file of the user's and one dangling: the render neither follows nor creates through
    /// them, and leaves them as they were.
    func testPlantedLinksAtTemporaryNamesAreNotFollowed() throws {
        try FileManager.default.createDirectory(atPath: dir + "/frames", withIntermediateDirectories: false)
        let victim = dir + "/precious.txt"
        try Data("mine".utf8).write(to: URL(fileURLWithPath: victim))
        var dangling: [String] = []
        let names = [".out.mp4.partial", ".out.mp4.json.partial", ".out.mp4.checkpoint.partial"]
            + (1...3).map { String(format: "frames/.frame_%05d.png.partial", $0) }
        for (i, name) in names.enumerated() {
            if i % 2 == 0 {
                try FileManager.default.createSymbolicLink(atPath: dir + "/" + name, withDestinationPath: victim)
            } else {
                let target = dir + "/created-through-\(i)"
                dangling.append(target)
                try FileManager.default.createSymbolicLink(atPath: dir + "/" + name, withDestinationPath: target)
            }
        }
        let run = try dreamvideo(try renderArgs(frames: 3) + ["-o", "out.mp4", "--frames-dir", "frames"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "mine", "a planted link was followed")
        for d in dangling { XCTAssertFalse(fileExists(d), "a file was created through a dangling link: \(d)") }
        for name in names {
            let dest = try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/" + name)
            XCTAssertNotNil(dest, "the link \(name) was replaced or removed")
        }
        XCTAssertEqual(try frameCount("out.mp4"), 3)
        XCTAssertEqual(try pngs("frames").filter { !$0.hasPrefix(".") }, pngNames(3))
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
