import Media
import Foundation
import FrameLoop
import XCTest
import TestSupport
import Imaging
import Schedule

final class MP4SinkTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try makeTempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// Encodes `n` frames of the moving pattern and returns them as the RGB8 the encoder was given.
    func encode(_ path: String, n: Int, width: Int, height: Int, options: MP4Sink.Options = .init()) throws -> [[UInt8]] {
        let sink = try MP4Sink(path: path, options: options)
        var inputs: [[UInt8]] = []
        for t in 0..<n {
            let f = movingPattern(width: width, height: height, t: t)
            inputs.append(f.rgb8())
            try sink.write(f)
        }
        try sink.finish()
        return inputs
    }

    /// The forecast's probe of what writing costs (`encodeWithoutKeeping`) encodes beside the output
    /// and keeps nothing: the path it is given keeps its bytes (here a file of the user's), no
    /// temporary of the probe stays, and a sink already writing in that folder is not disturbed.
    func testAnEncodeWithoutKeepingLeavesNothing() throws {
        let path = dir + "/out.mp4", own = Data("a file of the user's".utf8)
        try own.write(to: URL(fileURLWithPath: path))
        let frames = (0..<6).map { movingPattern(width: 160, height: 90, t: $0) }
        let real = try MP4Sink(path: dir + "/real.mp4")
        try real.write(frames[0])
        let before = try hiddenFiles(dir)
        XCTAssertEqual(before.count, 1, "the real sink's temporary: \(before)")
        var options = MP4Sink.Options()
        options.audioSource = dir + "/no-such-sound.wav"   // the probe encodes no sound
        var told: [String?] = []
        try MP4Sink.encodeWithoutKeeping(frames, beside: path, options: options) { told.append($0) }
        // Its temporary is told (for a stop meanwhile to remove), then that it is gone.
        XCTAssertEqual(told.count, 2)
        XCTAssertEqual(told.first??.hasPrefix(dir + "/."), true, "\(told)")
        XCTAssertNil(told.last ?? "")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), own)
        XCTAssertEqual(try hiddenFiles(dir), before, "a temporary of the probe left behind")
        for f in frames.dropFirst() { try real.write(f) }
        try real.finish()
        XCTAssertEqual(try probe(dir + "/real.mp4")["nb_read_frames"] as? String, "6")
        XCTAssertEqual(try hiddenFiles(dir), [])
    }

    func testFrameCountRateDurationAndLayout() throws {
        let path = dir + "/out.mp4", n = 45
        let inputs = try encode(path, n: n, width: 160, height: 90)
        XCTAssertTrue(fileExists(path))
        XCTAssertEqual(try hiddenFiles(dir), [], "temporary left behind")

        let s = try probe(path)
        XCTAssertEqual(s["codec_name"] as? String, "h264")
        XCTAssertEqual(s["pix_fmt"] as? String, "yuv420p")
        XCTAssertEqual(s["width"] as? Int, 160)
        XCTAssertEqual(s["height"] as? Int, 90)
        XCTAssertEqual(s["nb_read_frames"] as? String, String(n))
        XCTAssertEqual(s["nb_frames"] as? String, String(n))
        XCTAssertEqual(s["r_frame_rate"] as? String, "30/1")
        XCTAssertEqual(s["avg_frame_rate"] as? String, "30/1")
        XCTAssertEqual(Double(s["duration"] as? String ?? "") ?? -1, Double(n) / 30, accuracy: 1e-3)
        XCTAssertEqual(s["color_space"] as? String, "bt709")

        let check = try runTool("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"])
        XCTAssertEqual(check.status, 0)
        XCTAssertEqual(check.stderr, "", "ffmpeg found problems decoding the file")

        let boxes = try topLevelBoxes(path)
        let moov = try XCTUnwrap(boxes.firstIndex(of: "moov"), "\(boxes)")
        let mdat = try XCTUnwrap(boxes.firstIndex(of: "mdat"), "\(boxes)")
        XCTAssertLessThan(moov, mdat, "moov must precede mdat (+faststart): \(boxes)")

        // Decoded frames match what was encoded, frame for frame (a shifted frame would score far lower).
        let decoded = try ffmpegRGB24(path)
        let frameBytes = 3 * 160 * 90
        XCTAssertEqual(decoded.count, n * frameBytes)
        var worst = Double.infinity
        for t in 0..<n {
            worst = min(worst, psnr(inputs[t], Array(decoded[t * frameBytes..<(t + 1) * frameBytes])))
        }
        print("MP4 160x90 crf 18: worst frame PSNR \(String(format: "%.2f", worst)) dB")
        XCTAssertGreaterThan(worst, 35)
        // Frames are not interchangeable: frame 0 against decoded frame 10 must be clearly worse.
        XCTAssertLessThan(psnr(inputs[0], Array(decoded[10 * frameBytes..<11 * frameBytes])), worst - 5)
    }

    func testOddSizeIsPaddedToEvenAndDecodes() throws {
        let path = dir + "/odd.mp4", w = 101, h = 57, n = 12
        let sink = try MP4Sink(path: path)
        var inputs: [[UInt8]] = []
        for t in 0..<n {
            let f = movingPattern(width: w, height: h, t: t)
            inputs.append(f.rgb8())
            try sink.write(f)
        }
        XCTAssertEqual(sink.encodedSize?.width, 102)
        XCTAssertEqual(sink.encodedSize?.height, 58)
        try sink.finish()

        let s = try probe(path)
        XCTAssertEqual(s["width"] as? Int, 102)
        XCTAssertEqual(s["height"] as? Int, 58)
        XCTAssertEqual(s["nb_read_frames"] as? String, String(n))
        let check = try runTool("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"])
        XCTAssertEqual(check.stderr, "")

        let decoded = try ffmpegRGB24(path)
        XCTAssertEqual(decoded.count, n * 3 * 102 * 58)
        for t in 0..<n {
            let frame = Array(decoded[(t * 3 * 102 * 58)..<((t + 1) * 3 * 102 * 58)])
            var cropped: [UInt8] = [], padColumn: [UInt8] = [], lastColumn: [UInt8] = []
            for y in 0..<h {
                let row: Int = 3 * 102 * y
                let lastX: Int = row + 3 * (w - 1), padX: Int = row + 3 * w
                cropped += frame[row..<padX]
                lastColumn += frame[lastX..<padX]
                padColumn += frame[padX..<(padX + 3)]
            }
            XCTAssertGreaterThan(psnr(inputs[t], cropped), 35, "frame \(t)")
            // The extra column repeats the last one, so it decodes close to it (no black seam).
            XCTAssertGreaterThan(psnr(lastColumn, padColumn), 30, "frame \(t)")
        }
    }

    func testSingleFrameAndTinySize() throws {
        // One frame still lasts 1/30 s; a 1x1 picture is padded to 2x2.
        for (w, h) in [(64, 48), (1, 1), (3, 2)] {
            let path = dir + "/one\(w)x\(h).mp4"
            let sink = try MP4Sink(path: path)
            try sink.write(FloatImage(width: w, height: h, fill: 200))
            try sink.finish()
            let s = try probe(path)
            XCTAssertEqual(s["nb_read_frames"] as? String, "1", "\(w)x\(h)")
            XCTAssertEqual(s["width"] as? Int, (w + 1) / 2 * 2)
            XCTAssertEqual(Double(s["duration"] as? String ?? "") ?? -1, 1.0 / 30, accuracy: 1e-3, "\(w)x\(h)")
            let rgb = try ffmpegRGB24(path)
            XCTAssertEqual(Double(rgb[0]), 200, accuracy: 3, "\(w)x\(h)")
        }
    }

    func testUnfinishedLeavesNoFile() throws {
        let path = dir + "/cancel.mp4"
        let sink = try MP4Sink(path: path)
        let partial = sink.temporaryPath
        for t in 0..<5 { try sink.write(movingPattern(width: 64, height: 48, t: t)) }
        XCTAssertTrue(fileExists(partial), "frames go to the temporary while encoding")
        XCTAssertFalse(fileExists(path))
        sink.cancel()
        XCTAssertFalse(fileExists(partial))
        XCTAssertFalse(fileExists(path))
        XCTAssertThrowsError(try sink.write(movingPattern(width: 64, height: 48, t: 0))) {
            XCTAssertEqual($0 as? MP4SinkError, .alreadyFinished)
        }

        // Dropped without finish: deinit removes the temporary, and an older target stays as it was.
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        do {
            let dropped = try MP4Sink(path: path)
            try dropped.write(movingPattern(width: 64, height: 48, t: 0))
            XCTAssertTrue(fileExists(dropped.temporaryPath))
        }
        XCTAssertEqual(try hiddenFiles(dir), [])
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old")
    }

    func testErrors() throws {
        XCTAssertThrowsError(try MP4Sink(path: dir + "/a.mp4", options: .init(codec: "h264"))) {
            XCTAssertEqual($0 as? MP4SinkError, .unknownCodec("h264", valid: MP4Sink.codecs))
            XCTAssertTrue("\($0)".contains("libx264, libx265, libvpx-vp9"), "\($0)")
        }
        XCTAssertThrowsError(try MP4Sink(path: dir + "/a.mp4", options: .init(preset: "quick"))) {
            XCTAssertEqual($0 as? MP4SinkError, .unknownPreset("quick", valid: MP4Sink.presets))
        }
        XCTAssertThrowsError(try MP4Sink(path: dir + "/a.mp4", options: .init(crf: 52))) {
            guard case .invalidOption = $0 as? MP4SinkError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try MP4Sink(path: dir + "/a.mp4", options: .init(fps: 0)))
        XCTAssertThrowsError(try MP4Sink(path: dir + "/no/such/dir/a.mp4")) {
            XCTAssertEqual($0 as? MP4SinkError, .cannotCreateOutput(directory: dir + "/no/such/dir", reason: "No such file or directory"))
            XCTAssertFalse("\($0)".contains("\n"))
        }
        XCTAssertThrowsError(try MP4Sink(path: dir)) {
            XCTAssertEqual($0 as? MP4SinkError, .targetIsDirectory(path: dir))
        }
        let empty = try MP4Sink(path: dir + "/empty.mp4")
        XCTAssertThrowsError(try empty.finish()) {
            XCTAssertEqual($0 as? MP4SinkError, .noFrames(path: dir + "/empty.mp4"))
        }
        XCTAssertFalse(fileExists(dir + "/empty.mp4"))
        XCTAssertEqual(try hiddenFiles(dir), [])

        let sized = try MP4Sink(path: dir + "/sized.mp4")
        try sized.write(movingPattern(width: 64, height: 48, t: 0))
        XCTAssertThrowsError(try sized.write(movingPattern(width: 64, height: 50, t: 1))) {
            XCTAssertEqual($0 as? MP4SinkError, .sizeChanged(expected: "64x48", got: "64x50"))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix(".sized") }, [])
    }

    func testOtherCodecs() throws {
        for (codec, name) in [("libx265", "hevc"), ("libvpx-vp9", "vp9")] {
            let path = dir + "/\(codec).mp4", n = 10
            let inputs = try encode(path, n: n, width: 96, height: 64, options: .init(crf: 20, preset: "veryfast", codec: codec))
            let s = try probe(path)
            XCTAssertEqual(s["codec_name"] as? String, name)
            XCTAssertEqual(s["nb_read_frames"] as? String, String(n), codec)
            XCTAssertEqual(s["avg_frame_rate"] as? String, "30/1", codec)
            XCTAssertEqual(Double(s["duration"] as? String ?? "") ?? -1, Double(n) / 30, accuracy: 1e-3, codec)
            let check = try runTool("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"])
            XCTAssertEqual(check.stderr, "", codec)
            let decoded = try ffmpegRGB24(path)
            XCTAssertEqual(decoded.count, n * 3 * 96 * 64)
            XCTAssertGreaterThan(psnr(inputs[n - 1], Array(decoded.suffix(3 * 96 * 64))), 33, codec)
        }
    }

    /// Temporaries get unique names and are created without following links: a link planted at the
    /// name the sinks used before (`.NAME.partial`), to a user's file or dangling, is left alone.
    func testTemporariesAreUniqueAndFollowNoLink() throws {
        let victim = dir + "/precious", gone = dir + "/created-through-link"
        try Data("mine".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: dir + "/.v.mp4.partial", withDestinationPath: victim)
        try FileManager.default.createSymbolicLink(atPath: dir + "/.p.png.partial", withDestinationPath: gone)
        let a = try MP4Sink(path: dir + "/v.mp4"), b = try MP4Sink(path: dir + "/v.mp4")
        XCTAssertNotEqual(a.temporaryPath, b.temporaryPath)
        XCTAssertNotEqual(a.temporaryPath, dir + "/.v.mp4.partial")
        b.cancel()
        for t in 0..<3 { try a.write(movingPattern(width: 64, height: 48, t: t)) }
        try a.finish()
        try PNGWriter.write(movingPattern(width: 8, height: 8, t: 0), to: dir + "/p.png")
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "mine")
        XCTAssertFalse(fileExists(gone))
        XCTAssertEqual(try probe(dir + "/v.mp4")["nb_read_frames"] as? String, "3")
        XCTAssertEqual(try hiddenFiles(dir), [".p.png.partial", ".v.mp4.partial"], "the planted links were touched or a temporary was left")
    }

    /// While frames arrive the file is fragmented, one fragment a second: a stop that cannot wait
    /// keeps the whole fragments under the target, and that file plays.
    func testAStopThatCannotWaitKeepsTheWholeFragments() throws {
        let path = dir + "/cut.mp4"
        let sink = try MP4Sink(path: path, options: .init(preset: "ultrafast"))
        for t in 0..<75 { try sink.write(movingPattern(width: 64, height: 48, t: t)) }
        XCTAssertEqual(sink.abandonKeepingWhatIsWhole(), .wholeFragments)
        let kept = Int(try probe(path)["nb_read_frames"] as? String ?? "") ?? -1
        // ultrafast has no B-frames and no delay: 75 frames in, fragments of 30 cut after frames 30 and 60.
        XCTAssertEqual(kept, 60)
        let check = try runTool("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"])
        XCTAssertEqual(check.stderr, "")
        XCTAssertEqual(try hiddenFiles(dir), [])
    }
}
