import Foundation
import XCTest
import TestSupport

/// A video as INPUT, through the built binary, and --preview: squeezenet1_1, small frames, real encoder.
final class VideoInputCommandTests: CommandTestCase {
    let width = 192, height = 108

    /// A slow pan across a real photo (2 pixels a frame), with a 440 Hz tone when `audio`.
    @discardableResult
    func makeSource(_ name: String = "src.mp4", frames: Int = 24, fps: Int = 24, audio: Bool = true) throws -> String {
        let seconds = String(format: "%.4f", Double(frames) / Double(fps))
        var args = ["-v", "error", "-y", "-loop", "1", "-framerate", String(fps), "-i", try testPhoto("dog.jpg")]
        if audio { args += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=5"] }
        args += ["-filter_complex", "[0:v]scale=384:-2,crop=\(width):\(height):x='20+2*n':y=90,format=yuv420p[v]", "-map", "[v]"]
        if audio { args += ["-map", "1:a", "-c:a", "aac"] }
        args += ["-t", seconds, "-c:v", "libx264", "-crf", "16", name]
        let r = try runTool("ffmpeg", args, in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        return dir + "/" + name
    }

    /// ffprobe's streams (frames counted by decoding).
    func streams(_ file: String) throws -> [[String: Any]] {
        try ffprobe(file, entries: "stream=codec_type,codec_name,width,height,r_frame_rate,nb_read_frames,duration",
                    countFrames: true, in: dir)["streams"] as? [[String: Any]] ?? []
    }

    let dreamArgs = ["--model", "squeezenet1_1", "--layer", "fire5", "--octaves", "1", "--steps", "4", "--step-size", "1.5",
                     "--jitter", "8", "--threads", "2", "--crf", "12"]

    func testVideoKeepsItsFrameCountRateAndSizeAndItsAudioWhenAsked() throws {
        try makeSource(frames: 20, fps: 25)
        let run = try dreamvideo(["src.mp4"] + dreamArgs + ["-o", "out.mp4", "--audio"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertFalse(run.crashed, run.stderr)
        let s = try streams("out.mp4")
        let video = s.first { $0["codec_type"] as? String == "video" } ?? [:]
        let audio = s.first { $0["codec_type"] as? String == "audio" }
        XCTAssertEqual(video["nb_read_frames"] as? String, "20")
        XCTAssertEqual(video["r_frame_rate"] as? String, "25/1")
        XCTAssertEqual(video["width"] as? Int, width)
        XCTAssertEqual(video["height"] as? Int, height)
        XCTAssertEqual(audio?["codec_name"] as? String, "aac")
        XCTAssertEqual(Double(audio?["duration"] as? String ?? "") ?? 0, 0.8, accuracy: 0.05, "the audio lasts as long as the video")

        let silent = try dreamvideo(["src.mp4"] + dreamArgs + ["-o", "silent.mp4", "--frames", "6", "--fps", "12"])
        XCTAssertEqual(silent.status, 0, silent.stderr)
        let t = try streams("silent.mp4")
        XCTAssertEqual(t.compactMap { $0["codec_type"] as? String }, ["video"], "no audio without --audio")
        XCTAssertEqual(t.first?["nb_read_frames"] as? String, "6", "--frames cuts the video")
        XCTAssertEqual(t.first?["r_frame_rate"] as? String, "12/1", "--fps wins over the source's rate")
        XCTAssertEqual(try listing(), ["out.mp4", "out.mp4.json", "silent.mp4", "silent.mp4.json", "src.mp4"])
    }

    /// The proof: carrying the previous dream along the motion flickers less than dreaming
    /// each frame on its own, by the metrics command's flicker figure and by its dream-only figure.
    func testCarriedDreamFlickersLessThanIndependentFrames() throws {
        try makeSource(frames: 16, audio: false)
        let args = ["src.mp4", "--model", "squeezenet1_1", "--layer", "fire5", "--octaves", "2", "--steps", "6",
                    "--step-size", "1.5", "--jitter", "16", "--threads", "2", "--crf", "12", "--colour-coherence", "0"]
        let carried = try dreamvideo(args + ["-o", "carried.mp4"])
        XCTAssertEqual(carried.status, 0, carried.stderr)
        let alone = try dreamvideo(args + ["-o", "alone.mp4", "--carry", "0"])
        XCTAssertEqual(alone.status, 0, alone.stderr)
        func figures(_ file: String) throws -> (flicker: Double, dream: Double) {
            let m = try dreamvideo(["metrics", file, "--source", "src.mp4"])
            XCTAssertEqual(m.status, 0, m.stderr)
            func number(after label: String) -> Double {
                guard let line = m.stdout.split(separator: "\n").first(where: { $0.hasPrefix(label) }) else { return .nan }
                return Double(line.dropFirst(label.count).split(separator: " ").first ?? "") ?? .nan
            }
            return (number(after: "flicker"), number(after: "dream flicker"))
        }
        let c = try figures("carried.mp4"), a = try figures("alone.mp4")
        XCTAssertLessThan(c.flicker, a.flicker, "carried \(c), alone \(a)")
        XCTAssertLessThan(c.dream, 0.8 * a.dream, "carried \(c), alone \(a)")
    }

    func testBadVideosAreOneLineAndLeaveNothing() throws {
        // Garbage named .mp4, an MP4 cut in half (its index at the end is gone), and sound without pictures.
        var garbage = [UInt8](repeating: 0, count: 4096)
        var x: UInt32 = 12345
        for i in garbage.indices { x = x &* 1664525 &+ 1013904223; garbage[i] = UInt8(x >> 24) }
        try Data(garbage).write(to: URL(fileURLWithPath: dir + "/garbage.mp4"))
        let whole = try makeSource("whole.mp4", frames: 12, audio: false)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: dir + "/cut.mp4"))
        try FileManager.default.removeItem(atPath: whole)
        let tone = try runTool("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine=duration=0.5", "-c:a", "aac", "tone.m4a"], in: dir)
        XCTAssertEqual(tone.status, 0, tone.stderr)
        let before = try listing()
        for (input, says) in [("garbage.mp4", "cannot open as a video"), ("cut.mp4", "cannot open as a video"),
                              ("tone.m4a", "has no video stream")] {
            let run = try dreamvideo([input] + dreamArgs + ["-o", "out.mp4"])
            XCTAssertEqual(run.status, 1, input)
            XCTAssertFalse(run.crashed, run.stderr)
            XCTAssertEqual(run.stderrLines.count, 1, run.stderr)
            XCTAssertTrue(run.stderr.hasPrefix("error: ") && run.stderr.contains(says), run.stderr)
            XCTAssertEqual(try listing(), before, "nothing left behind for \(input)")
        }
    }

    func testOptionsThatDoNotApplyAreRefusedInOneLine() throws {
        try makeSource("silent.mp4", frames: 4, audio: false)
        let photo = try testPhoto("dog.jpg")
        let cases: [([String], String)] = [
            ([photo, "--carry", "0.5"], "--carry applies only to a video input"),
            (["silent.mp4", "--zoom", "1.05"], "--zoom does not apply to a video input"),
            (["silent.mp4", "--resume"], "--resume does not apply to a video input"),
            (["silent.mp4", "--audio"], "--audio: silent.mp4 has no audio stream to keep; leave out --audio"),
            (["silent.mp4", "--carry", "1.5"], "--carry 1.5 is out of range"),
            (["silent.mp4", "--flow", "maybe"], "the value 'maybe' is invalid for '--flow <on|off>'. Please provide one of 'on' and 'off'"),
        ]
        for (args, says) in cases {
            let run = try dreamvideo(args + ["--model", "squeezenet1_1", "--layer", "fire3", "-o", "out.mp4"])
            XCTAssertEqual(run.status, 1, args.joined(separator: " "))
            XCTAssertEqual(run.stderrLines.count, 1, run.stderr)
            XCTAssertTrue(run.stderr.contains(says), run.stderr)
        }
        XCTAssertEqual(try listing(), ["silent.mp4"])
    }

    func testPreviewRendersTheWholeScheduleAtHalfTheSidesUnderItsOwnName() throws {
        let schedule = try write("""
            {"defaults": {"octaves": 2, "steps": 2, "zoom": 1.02, "cadence": 1},
             "segments": [{"layer": "fire3", "frames": 5}, {"layer": "fire5", "frames": 4}]}
            """, to: "s.json")
        try FileManager.default.copyItem(atPath: try testPhoto("dog.jpg"), toPath: dir + "/dog.jpg")
        let run = try dreamvideo(["dog.jpg", "--schedule", schedule, "--model", "squeezenet1_1", "--size", "200x160",
                                  "--threads", "2", "--preview"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("preview took") && run.stderr.contains("the full render (200x160) should take about"), run.stderr)
        XCTAssertEqual(try listing(), ["dog-dream-preview.mp4", "dog-dream-preview.mp4.json", "dog.jpg", "s.json"])
        let v = try streams("dog-dream-preview.mp4").first ?? [:]
        XCTAssertEqual(v["nb_read_frames"] as? String, "9", "every frame of the schedule")
        XCTAssertEqual(v["width"] as? Int, 100)
        XCTAssertEqual(v["height"] as? Int, 80)
        // -o names the preview as asked.
        let named = try dreamvideo(["dog.jpg", "--schedule", schedule, "--model", "squeezenet1_1", "--size", "200x160",
                                    "--threads", "2", "--preview", "-o", "look.mp4"])
        XCTAssertEqual(named.status, 0, named.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/look.mp4"))
    }
}

extension VideoInputCommandTests {
    /// A folder of frames is a video too (30 fps unless --fps); --preview halves a video's sides as well.
    func testAFolderOfFramesIsAVideoAndCanBePreviewed() throws {
        try makeSource(frames: 6, audio: false)
        try FileManager.default.createDirectory(atPath: dir + "/frames", withIntermediateDirectories: false)
        let split = try runTool("ffmpeg", ["-v", "error", "-i", "src.mp4", "frames/f_%03d.png"], in: dir)
        XCTAssertEqual(split.status, 0, split.stderr)
        let run = try dreamvideo(["frames"] + dreamArgs + ["-o", "out.mp4"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let v = try streams("out.mp4").first ?? [:]
        XCTAssertEqual(v["nb_read_frames"] as? String, "6")
        XCTAssertEqual(v["r_frame_rate"] as? String, "30/1")
        let preview = try dreamvideo(["src.mp4"] + dreamArgs + ["--preview", "--size", "240x160"])
        XCTAssertEqual(preview.status, 0, preview.stderr)
        let p = try streams("src-dream-preview.mp4").first ?? [:]
        XCTAssertEqual(p["nb_read_frames"] as? String, "6")
        XCTAssertEqual(p["width"] as? Int, 120)
        XCTAssertEqual(p["height"] as? Int, 80)
    }
}
