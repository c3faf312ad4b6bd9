import Schedule
import Imaging
import Foundation
import XCTest
import TestSupport

/// -o out.gif and -o out.webp: real renders, decoded by ffmpeg (GIF) and ImageMagick (FFmpeg 5.1
/// cannot decode an animated WebP), and the loop flags read from the files' own bytes.
final class AnimatedOutputTests: CommandTestCase {
    func render(_ output: String, extra: [String] = []) throws -> [String] {
        [try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire3", "--size", "96x80", "--frames", "6",
         "--octaves", "1", "--steps", "2", "-o", output, "--frames-dir", "frames"] + extra
    }

    func testGIFHasEveryFrameLoopsAndKeepsTheColours() throws {
        let run = try dreamvideo(try render("out.gif"))
        XCTAssertEqual(run.status, 0, run.stderr)
        let stream = try probe(dir + "/out.gif")
        XCTAssertEqual(stream["codec_name"] as? String, "gif")
        XCTAssertEqual(stream["width"] as? Int, 96)
        XCTAssertEqual(stream["height"] as? Int, 80)
        XCTAssertEqual(stream["nb_read_frames"] as? String, "6")
        // The Netscape application extension: sub-block 1, loop count 0 = forever.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/out.gif")))
        let netscape = Array("NETSCAPE2.0".utf8)
        let at = (0...(bytes.count - netscape.count)).first { Array(bytes[$0 ..< $0 + netscape.count]) == netscape }
        XCTAssertNotNil(at, "no NETSCAPE2.0 loop extension")
        if let at { XCTAssertEqual(Array(bytes[at + 11 ..< at + 15]), [3, 1, 0, 0], "loop count is not 0 (forever)") }
        // One palette for the clip, dithered: every frame stays close to the frame the render made.
        let gif = try decodeRGB(dir + "/out.gif", width: 96, height: 80, in: dir)
        let pngs = try decodeRGB(dir + "/frames/frame_%05d.png", width: 96, height: 80, in: dir)
        XCTAssertEqual(gif.frames.count, 6)
        for (a, b) in zip(gif.frames, pngs.frames) {
            XCTAssertGreaterThan(psnr(a, b), 28, "a GIF frame is far from the rendered frame")
        }
        let last = run.stderrLines.last ?? ""
        XCTAssertTrue(last.contains("out.gif") && last.contains("96x80") && last.contains("kB"), last)
        let settings = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out.gif.json"))) as? [String: Any]
        XCTAssertEqual((settings?["encoder"] as? [String: Any])?["codec"] as? String, "gif")
    }

    func testWebPHasEveryFrameAndLoops() throws {
        let run = try dreamvideo(try render("out.webp"))
        XCTAssertEqual(run.status, 0, run.stderr)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/out.webp")))
        XCTAssertEqual(Array(bytes[0..<4]), Array("RIFF".utf8))
        XCTAssertEqual(Array(bytes[8..<12]), Array("WEBP".utf8))
        // The chunks after the header: VP8X (canvas size), ANIM (loop count), one ANMF per frame.
        var chunks: [(String, [UInt8])] = []
        var i = 12
        while i + 8 <= bytes.count {
            let name = String(decoding: bytes[i ..< i + 4], as: UTF8.self)
            let size = Int(bytes[i + 4]) | Int(bytes[i + 5]) << 8 | Int(bytes[i + 6]) << 16 | Int(bytes[i + 7]) << 24
            guard i + 8 + size <= bytes.count else { XCTFail("chunk \(name) runs past the end"); break }
            chunks.append((name, Array(bytes[i + 8 ..< i + 8 + size])))
            i += 8 + size + (size & 1)
        }
        let vp8x = try XCTUnwrap(chunks.first { $0.0 == "VP8X" }?.1)
        XCTAssertEqual(1 + (Int(vp8x[4]) | Int(vp8x[5]) << 8 | Int(vp8x[6]) << 16), 96)
        XCTAssertEqual(1 + (Int(vp8x[7]) | Int(vp8x[8]) << 8 | Int(vp8x[9]) << 16), 80)
        let anim = try XCTUnwrap(chunks.first { $0.0 == "ANIM" }?.1)
        XCTAssertEqual(Int(anim[4]) | Int(anim[5]) << 8, 0, "loop count is not 0 (forever)")
        XCTAssertEqual(chunks.filter { $0.0 == "ANMF" }.count, 6)
        // Decoded by another program (ImageMagick, frames composed): six 96x80 frames close to the render's.
        let r = try runTool("convert", [dir + "/out.webp", "-coalesce", dir + "/w%d.png"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let pngs = try decodeRGB(dir + "/frames/frame_%05d.png", width: 96, height: 80, in: dir)
        for k in 0..<6 {
            let frame = try ffmpegRGB24(dir + "/w\(k).png")
            XCTAssertEqual(frame.count, 96 * 80 * 3)
            XCTAssertGreaterThan(psnr(frame, pngs.frames[k]), 26, "WebP frame \(k) is far from the rendered frame")
        }
        XCTAssertTrue((run.stderrLines.last ?? "").contains("96x80"), run.stderr)
    }

    func testMP4OnlyOptionsAreRefusedBeforeWork() throws {
        try expectRefusal(try render("out.gif", extra: ["--codec", "libx265"]), mentions: ["--codec", "out.gif", "MP4"])
        try expectRefusal(try render("out.webp", extra: ["--crf", "23"]), mentions: ["--crf", "out.webp"])
        try expectRefusal(try render("out.gif", extra: ["--resume"]), mentions: ["--resume", "out.gif"])
    }

    func testAGIFTooLargeForMemoryIsRefusedBeforeWork() throws {
        let args = [try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire3", "--size", "1920x1080",
                    "--frames", "400", "-o", "big.gif"]
        try expectRefusal(args, mentions: ["big.gif", "GB", "--frames"])
    }

    func testAVideoInputDreamsIntoAGIF() throws {
        let r = try runTool("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=96x80:rate=10:duration=0.5", "-pix_fmt", "yuv420p",
                                       dir + "/clip.mp4"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let run = try dreamvideo(["clip.mp4", "--model", "squeezenet1_1", "--layer", "fire3", "--octaves", "1", "--steps", "1", "-o", "clip.gif"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let stream = try probe(dir + "/clip.gif")
        XCTAssertEqual(stream["nb_read_frames"] as? String, "5")
        XCTAssertEqual(stream["width"] as? Int, 96)
    }
}
