import Media
import Foundation
import FrameLoop
import XCTest
import TestSupport
import Imaging
import Schedule

/// The size a render picks without --size, the forecast and progress it prints, and --chroma 444,
/// on the real squeezenet1_1 weights and the real encoder.
final class SizeChromaProgressTests: CommandTestCase {
    let sq = ["--model", "squeezenet1_1"]

    func writePNG(_ name: String, width: Int, height: Int) throws -> String {
        var img = FloatImage(width: width, height: height)
        for i in img.pixels.indices { img.pixels[i] = Float((i * 37) % 251) }
        let path = dir + "/" + name
        try PNGWriter.write(img, to: path)
        return path
    }

    func testWithoutSizeALargePictureFitsWithin1920x1080AndTheFirstLineSaysSo() throws {
        _ = try writePNG("tall.png", width: 2000, height: 2001)
        let run = try dreamvideo(["tall.png", "--frames", "1", "--steps", "0", "--frames-dir", "f"] + sq)
        XCTAssertEqual(run.status, 0, run.stderr)
        let frame = try ImageDecoder().decode(path: dir + "/f/frame_00001.png")
        // 1080 / 2001 of each side, made even: 1079.46 -> 1078 wide, 1080 high.
        XCTAssertEqual(frame.width, 1078); XCTAssertEqual(frame.height, 1080)
        let first = run.stderrLines.first ?? ""
        XCTAssertTrue(first.contains("1078x1080") && first.contains("2000x2001 fitted within 1920x1080"), first)
        // The forecast comes before frame 1.
        let forecast = run.stderrLines.firstIndex { $0.contains("estimated time for the whole render") }
        let frame1 = run.stderrLines.firstIndex { $0.hasPrefix("frame 1/1") }
        XCTAssertNotNil(forecast, run.stderr)
        XCTAssertLessThan(forecast ?? .max, frame1 ?? -1, run.stderr)
    }

    func testASmallPictureKeepsItsSizeAndSaysNothingOfFitting() throws {
        _ = try writePNG("small.png", width: 101, height: 80)
        let run = try dreamvideo(["small.png", "--frames", "1", "--steps", "0", "--frames-dir", "f"] + sq)
        XCTAssertEqual(run.status, 0, run.stderr)
        let frame = try ImageDecoder().decode(path: dir + "/f/frame_00001.png")
        XCTAssertEqual(frame.width, 100); XCTAssertEqual(frame.height, 80)
        XCTAssertFalse(run.stderr.contains("fitted"), run.stderr)
    }

    func testProgressShowsTheMeanSecondsPerFrame() throws {
        _ = try writePNG("in.png", width: 120, height: 80)
        let run = try dreamvideo(["in.png", "--frames", "7", "--cadence", "3", "--octaves", "1", "--steps", "2",
                                  "--frames-dir", "f"] + sq)
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stderrLines.filter { $0.hasPrefix("frame ") && $0.contains("s/frame") }
        XCTAssertEqual(lines.count, 7, run.stderr)
        XCTAssertTrue(lines.allSatisfy { $0.contains("s/frame (mean)") }, run.stderr)
    }

    /// The pixel format and profile, and how close each MP4's frames are to the same render's PNGs.
    func render(chroma: String?, codec: String = "libx264") throws -> (pixFmt: String, profile: String, rgb: Double, luma: Double) {
        let name = "c\(chroma ?? "default")-\(codec)"
        let run = try dreamvideo(["in.png", "--size", "160x90", "--frames", "4", "--octaves", "1", "--steps", "4",
                                  "--codec", codec, "-o", name + ".mp4", "--frames-dir", name] + (chroma.map { ["--chroma", $0] } ?? []) + sq)
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try ffprobe(name + ".mp4", entries: "stream=pix_fmt,profile", streams: "v:0", in: dir)
        let stream = (json["streams"] as? [[String: Any]])?.first ?? [:]
        // Decoded with the BT.709 limited-range matrix the file is tagged with.
        let decoded = try runTool("ffmpeg", ["-v", "error", "-i", name + ".mp4", "-vf",
                                             "scale=in_color_matrix=bt709:in_range=tv:flags=bicubic+accurate_rnd+full_chroma_int,format=rgb24",
                                             "-f", "rawvideo", "-"], in: dir)
        XCTAssertEqual(decoded.status, 0, decoded.stderr)
        let size = 3 * 160 * 90
        let video = [UInt8](decoded.output)
        XCTAssertEqual(video.count, 4 * size)
        var rgb = 0.0, luma = 0.0
        for k in 0..<4 {
            let png = try ImageDecoder().decode(path: dir + "/\(name)/frame_0000\(k + 1).png").rgb8()
            let frame = Array(video[(k * size)..<((k + 1) * size)])
            rgb += psnr(frame, png) / 4; luma += lumaPSNR(frame, png) / 4
        }
        return (stream["pix_fmt"] as? String ?? "", stream["profile"] as? String ?? "", rgb, luma)
    }

    func testChroma444KeepsEveryPixelsColour() throws {
        _ = try writePNG("in.png", width: 160, height: 90)
        let plain = try render(chroma: nil), full = try render(chroma: "444")
        print("MP4 vs PNG, 160x90: 4:2:0 RGB \(plain.rgb) dB luma \(plain.luma) dB; 4:4:4 RGB \(full.rgb) dB luma \(full.luma) dB")
        XCTAssertEqual(plain.pixFmt, "yuv420p"); XCTAssertEqual(plain.profile, "High")
        XCTAssertEqual(full.pixFmt, "yuv444p"); XCTAssertEqual(full.profile, "High 4:4:4 Predictive")
        // The colour detail 4:2:0 drops: 3.6 dB of RGB PSNR on a 320x180 render of the demo logo
        // (29.1 against 32.7 dB), and 11.6 against 25.4 dB on this pixel-noise picture (the code's
        // own output); 1 dB is well inside both.
        XCTAssertGreaterThan(full.rgb, plain.rgb + 1)
        let hevc = try render(chroma: "444", codec: "libx265")
        XCTAssertEqual(hevc.pixFmt, "yuv444p10le")
        XCTAssertGreaterThan(hevc.rgb, plain.rgb + 1)
        XCTAssertTrue(try String(contentsOfFile: dir + "/c444-libx264.mp4.json", encoding: .utf8).contains("\"chroma\" : \"444\""))
    }

    func testAnUnknownChromaIsOneErrorLine() throws {
        _ = try writePNG("in.png", width: 120, height: 80)
        let run = try dreamvideo(["in.png", "--chroma", "422", "-o", "x.mp4"] + sq)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderrLines.count, 1, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("error: the value '422' is invalid for '--chroma <420|444>'. Please provide one of '420' and '444'"), run.stderr)
        XCTAssertFalse(fileExists(dir + "/x.mp4"))
    }
}
