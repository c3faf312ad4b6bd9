import Media
import Foundation
import FrameLoop
import XCTest
import TestSupport
import Imaging
import Schedule

/// A video as the input: what the decoder says about it, frame by frame decoding, telling videos
/// from pictures by content, and the audio carried into the dreamed MP4.
final class VideoInputTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try makeTempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func ffmpeg(_ args: [String]) throws {
        let r = try runTool("ffmpeg", ["-v", "error", "-y"] + args)
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    /// ffprobe's streams of `path` (all of them), as JSON objects.
    func streams(_ path: String) throws -> [[String: Any]] {
        try ffprobe(path, entries: "stream=codec_type,codec_name,duration,r_frame_rate,nb_frames")["streams"] as? [[String: Any]] ?? []
    }

    func testInfoAndFrameByFrameDecodingOfAnNTSCRateVideo() throws {
        let path = dir + "/ntsc.mp4"
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=96x64:rate=30000/1001", "-frames:v", "14", "-pix_fmt", "yuv420p", path])
        let frames = try VideoReader(path: path).open()
        XCTAssertEqual(frames.info.width, 96)
        XCTAssertEqual(frames.info.height, 64)
        XCTAssertEqual(frames.info.frameRate?.num, 30000)
        XCTAssertEqual(frames.info.frameRate?.den, 1001)
        XCTAssertEqual(frames.info.frameCount, 14)
        XCTAssertEqual(frames.info.duration ?? 0, 14 * 1001 / 30000.0, accuracy: 0.002)
        XCTAssertNil(frames.info.audioCodec)
        var n = 0
        while let f = try frames.next() {
            XCTAssertEqual(f.width, 96); XCTAssertEqual(f.height, 64)
            n += 1
        }
        XCTAssertEqual(n, 14)
        XCTAssertNil(try frames.next(), "stays at the end")
    }

    func testVideosAreToldFromPicturesByContent() throws {
        let video = dir + "/clip.mp4"
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-frames:v", "3", "-pix_fmt", "yuv420p", video])
        XCTAssertTrue(VideoReader.isVideo(path: video))
        // A video under a picture's name is still a video; a picture under a video's name is not.
        try FileManager.default.copyItem(atPath: video, toPath: dir + "/clip.jpg")
        XCTAssertTrue(VideoReader.isVideo(path: dir + "/clip.jpg"))
        let webm = dir + "/clip.bin"
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-frames:v", "3", "-c:v", "libvpx-vp9", "-f", "webm", webm])
        XCTAssertTrue(VideoReader.isVideo(path: webm))
        let photo = try testPhoto("dog.jpg")
        XCTAssertFalse(VideoReader.isVideo(path: photo))
        try FileManager.default.copyItem(atPath: photo, toPath: dir + "/photo.mp4")
        XCTAssertFalse(VideoReader.isVideo(path: dir + "/photo.mp4"))
        let png = dir + "/p.png"
        try PNGWriter.write(FloatImage(width: 8, height: 8, fill: 90), to: png)
        XCTAssertFalse(VideoReader.isVideo(path: png))
        XCTAssertFalse(VideoReader.isVideo(path: dir + "/missing.mov"))
    }

    func testDamagedAndVideolessFilesAreRefusedWithOneReason() throws {
        let good = dir + "/good.mp4"
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-frames:v", "10", "-pix_fmt", "yuv420p", good])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: dir + "/cut.mp4"))
        XCTAssertThrowsError(try VideoReader(path: dir + "/cut.mp4").open()) {
            XCTAssertTrue("\($0)".contains("cannot open as a video"), "\($0)")
        }
        let sound = dir + "/sound.m4a"
        try ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=0.5", "-c:a", "aac", sound])
        XCTAssertTrue(VideoReader.isVideo(path: sound), "an MP4 container: its error must come from the video reader")
        XCTAssertThrowsError(try VideoReader(path: sound).open()) {
            XCTAssertEqual($0 as? VideoReadError, .noVideoStream(path: sound))
        }
    }

    /// 36 frames at 24 fps with a 1.5 s AAC tone: the audio comes through as it was, as long as the video.
    func testAudioIsCopiedBesideTheFramesWithItsDuration() throws {
        let source = dir + "/src.mp4"
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=24", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=3",
                    "-t", "1.5", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", source])
        let out = dir + "/out.mp4"
        var options = MP4Sink.Options(fps: 24, crf: 23, preset: "veryfast")
        options.audioSource = source
        let sink = try MP4Sink(path: out, options: options)
        for t in 0..<36 { try sink.write(movingPattern(width: 64, height: 48, t: t)) }
        try sink.finish()
        let s = try streams(out)
        XCTAssertEqual(s.count, 2)
        let video = s.first { $0["codec_type"] as? String == "video" } ?? [:]
        let audio = s.first { $0["codec_type"] as? String == "audio" } ?? [:]
        XCTAssertEqual(video["nb_frames"] as? String, "36")
        XCTAssertEqual(audio["codec_name"] as? String, "aac")
        XCTAssertEqual(Double(audio["duration"] as? String ?? "") ?? 0, 1.5, accuracy: 0.05)
        // The packets are the source's, byte for byte (copied, not re-encoded).
        func audioHash(_ p: String) throws -> String {
            let r = try runTool("ffmpeg", ["-v", "error", "-i", p, "-map", "0:a", "-c", "copy", "-f", "hash", "-hash", "md5", "-"])
            return r.stdout
        }
        XCTAssertEqual(try audioHash(out), try audioHash(source))
        let check = try runTool("ffmpeg", ["-v", "error", "-i", out, "-f", "null", "-"])
        XCTAssertEqual(check.stderr, "", "decodes cleanly")

        // Without the option, no audio.
        let silent = dir + "/silent.mp4"
        let plain = try MP4Sink(path: silent, options: MP4Sink.Options(fps: 24, crf: 23, preset: "veryfast"))
        for t in 0..<4 { try plain.write(movingPattern(width: 64, height: 48, t: t)) }
        try plain.finish()
        XCTAssertEqual(try streams(silent).compactMap { $0["codec_type"] as? String }, ["video"])
    }

    func testAudioThatMP4CannotHoldIsOneClearErrorBeforeAnyFile() throws {
        let wav = dir + "/tone.wav"
        try ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=0.5", "-c:a", "pcm_s16le", wav])
        var options = MP4Sink.Options(fps: 24)
        options.audioSource = wav
        XCTAssertThrowsError(try MP4Sink(path: dir + "/out.mp4", options: options)) {
            XCTAssertTrue("\($0)".contains("pcm_s16le audio cannot be stored in an MP4"), "\($0)")
        }
        options.audioSource = dir + "/none.mp4"
        XCTAssertThrowsError(try MP4Sink(path: dir + "/out.mp4", options: options))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["tone.wav"])
    }

    func testFractionalFrameRateIsKept() throws {
        let out = dir + "/ntsc.mp4"
        let sink = try MP4Sink(path: out, options: MP4Sink.Options(fps: 30000, crf: 23, preset: "veryfast").with { $0.fpsDenominator = 1001 })
        for t in 0..<10 { try sink.write(movingPattern(width: 64, height: 48, t: t)) }
        try sink.finish()
        let p = try probe(out)
        XCTAssertEqual(p["r_frame_rate"] as? String, "30000/1001")
        XCTAssertEqual(p["nb_read_frames"] as? String, "10")
        XCTAssertThrowsError(try MP4Sink(path: dir + "/x.mp4", options: MP4Sink.Options(fps: 30000)), "30000/1 fps is out of range")
    }

    /// The real photo moved by a known number of pixels: two crops of it, 5 right and 3 down apart.
    func testFlowFindsTheShiftBetweenTwoCropsOfARealPhoto() throws {
        let photo = try ImageDecoder().decode(path: try testPhoto("dog.jpg")).resized(width: 384, height: 288)
        let a = photo.cropped(x: 40, y: 30, width: 256, height: 192)
        let b = photo.cropped(x: 45, y: 33, width: 256, height: 192)
        // b's pixel (x, y) is a's (x + 5, y + 3): content in a at p is in b at p - (5, 3).
        let flow = try OpticalFlow().flow(from: a, to: b)
        var mask = [Float](repeating: 0, count: 256 * 192)
        for y in 16..<176 { for x in 16..<240 { mask[y * 256 + x] = 1 } }
        let m = flow.mean(mask: mask)
        XCTAssertEqual(m.dx, -5, accuracy: 0.25)
        XCTAssertEqual(m.dy, -3, accuracy: 0.25)
        // Pixel by pixel too, flat wall and pavement included (measured: 88% within 0.5 px, 96% within 1).
        var within = 0, total = 0
        for i in mask.indices where mask[i] > 0 {
            total += 1
            if (flow.dx[i] + 5) * (flow.dx[i] + 5) + (flow.dy[i] + 3) * (flow.dy[i] + 3) < 1 { within += 1 }
        }
        XCTAssertGreaterThan(Double(within) / Double(total), 0.9)
        // The forward/backward check trusts most of a rigid shift.
        let trust = try OpticalFlow.reliability(backward: try OpticalFlow().flow(from: b, to: a), forward: flow)
        XCTAssertGreaterThan(Double(trust.reduce(0, +)) / Double(trust.count), 0.8)
    }
}

extension MP4Sink.Options {
    func with(_ change: (inout MP4Sink.Options) -> Void) -> MP4Sink.Options {
        var o = self
        change(&o)
        return o
    }
}
