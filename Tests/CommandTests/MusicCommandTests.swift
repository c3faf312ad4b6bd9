import Schedule
import Imaging
import Foundation
import XCTest
import TestSupport

/// --music on real renders: the sound in the MP4 for as long as the video, the frame count from the
/// sound's length, the plot, the settings record, and one line for a file that has no sound.
final class MusicCommandTests: CommandTestCase {
    func render(_ music: String, extra: [String] = []) throws -> [String] {
        [try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire3", "--size", "96x80",
         "--octaves", "1", "--steps", "1", "--fps", "10", "--music", music, "-o", "out.mp4"] + extra
    }

    func testTheMusicSetsTheLengthAndPlaysInSync() throws {
        try SyntheticAudio.writeWAV(SyntheticAudio.clickTrack(beats: [0.3, 0.8, 1.3, 1.8], seconds: 2.26), to: dir + "/beats.wav")
        let run = try dreamvideo(try render("beats.wav", extra: ["--music-plot", "plot.png"]))
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("4 onsets"), run.stderr)
        let json = try ffprobe(dir + "/out.mp4", entries: "stream=codec_type,codec_name,duration,nb_frames,sample_rate")
        let streams = try XCTUnwrap(json["streams"] as? [[String: Any]])
        let video = try XCTUnwrap(streams.first { $0["codec_type"] as? String == "video" })
        let audio = try XCTUnwrap(streams.first { $0["codec_type"] as? String == "audio" }, "no audio stream")
        // 2.26 s at 10 fps: 23 frames (the nearest whole count).
        XCTAssertEqual(video["nb_frames"] as? String, "23")
        XCTAssertEqual(audio["codec_name"] as? String, "aac")
        XCTAssertEqual(audio["sample_rate"] as? String, "44100")
        let v = Double(video["duration"] as? String ?? "") ?? .nan, a = Double(audio["duration"] as? String ?? "") ?? .nan
        XCTAssertEqual(a, v, accuracy: 0.1, "the audio lasts \(a) s, the video \(v) s: more than one frame (0.1 s) apart")
        // The record names the music by content; the plot is a PNG of the three panels.
        let settings = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out.mp4.json"))) as? [String: Any]
        let music = try XCTUnwrap(settings?["music"] as? [String: Any])
        XCTAssertEqual((music["sha256"] as? String)?.count, 64)
        let segment = ((settings?["schedule"] as? [String: Any])?["segments"] as? [[String: Any]])?.first
        XCTAssertEqual((segment?["zoom"] as? [String: Any])?["music"] as? String, "onset")
        let plot = try probe(dir + "/plot.png")
        XCTAssertGreaterThanOrEqual(plot["width"] as? Int ?? 0, 600)
    }

    func testFramesOverrideTheMusicLength() throws {
        try SyntheticAudio.writeWAV(SyntheticAudio.clickTrack(beats: [0.3], seconds: 3), to: dir + "/beats.wav")
        let run = try dreamvideo(try render("beats.wav", extra: ["--frames", "8"]))
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try ffprobe(dir + "/out.mp4", entries: "stream=codec_type,duration,nb_frames")
        let streams = try XCTUnwrap(json["streams"] as? [[String: Any]])
        XCTAssertEqual(streams.first { $0["codec_type"] as? String == "video" }?["nb_frames"] as? String, "8")
        let a = Double(streams.first { $0["codec_type"] as? String == "audio" }?["duration"] as? String ?? "") ?? .nan
        XCTAssertEqual(a, 0.8, accuracy: 0.1, "the sound is cut at the video's end")
    }

    func testAFileWithoutSoundIsOneLine() throws {
        let r = try runTool("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5:duration=1", "-pix_fmt", "yuv420p",
                                       dir + "/silent.mp4"])
        XCTAssertEqual(r.status, 0, r.stderr)
        try expectRefusal(try render("silent.mp4"), mentions: ["silent.mp4", "no audio stream"])
    }

    func testNotAMediaFileIsOneLine() throws {
        try write("a shopping list, not a song\n", to: "song.mp3")
        try expectRefusal(try render("song.mp3"), mentions: ["song.mp3", "not a media file"])
        try expectRefusal(try render("nosuch.mp3"), mentions: ["nosuch.mp3", "does not exist"])
    }

    func testAPlotWithoutMusicIsOneLine() throws {
        var args = try render("x.wav")
        args.removeSubrange(args.firstIndex(of: "--music")!...args.firstIndex(of: "--music")! + 1)
        try expectRefusal(args + ["--music-plot", "plot.png"], mentions: ["--music-plot", "--music"])
    }

    /// A stopped render continues with --resume and the same music (the sound whole in the end);
    /// other music is refused, naming --music.
    func testResumeCarriesTheMusic() throws {
        try SyntheticAudio.writeWAV(SyntheticAudio.clickTrack(beats: [0.5, 1.5, 2.5], seconds: 3), to: dir + "/beats.wav")
        var other = SyntheticAudio.clickTrack(beats: [0.5, 1.5, 2.5], seconds: 3)
        other[100] += 0.1
        try SyntheticAudio.writeWAV(other, to: dir + "/other.wav")
        // Slow enough per frame (steps 10 at 160x128, one thread) that the signal lands long before frame 30.
        let args = [try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire2", "--size", "160x128", "--octaves", "2",
                    "--steps", "10", "--threads", "1", "--fps", "10", "--music", "beats.wav", "-o", "out.mp4", "--frames-dir", "frames"]
        let stop = try interrupted(args, after: 4, signals: [SIGINT])
        XCTAssertEqual(stop.status, 128 + SIGINT, stop.stderr)
        XCTAssertTrue(fileExists(dir + "/out.mp4.checkpoint"))

        let otherMusic = args.map { $0 == "beats.wav" ? "other.wav" : $0 } + ["--resume"]
        let refused = try dreamvideo(otherMusic)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertEqual(refused.stderrLines.count, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--music"), refused.stderr)

        let resumed = try dreamvideo(args + ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let json = try ffprobe(dir + "/out.mp4", entries: "stream=codec_type,duration,nb_frames")
        let streams = try XCTUnwrap(json["streams"] as? [[String: Any]])
        XCTAssertEqual(streams.first { $0["codec_type"] as? String == "video" }?["nb_frames"] as? String, "30")
        let a = Double(streams.first { $0["codec_type"] as? String == "audio" }?["duration"] as? String ?? "") ?? .nan
        XCTAssertEqual(a, 3.0, accuracy: 0.1, "the resumed video's sound does not last as long as its 3 s of frames")
    }
}
