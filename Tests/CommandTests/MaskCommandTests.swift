import Schedule
import Imaging
import Media
import Foundation
import FrameLoop
import TestSupport
import XCTest

/// `--mask` through the built binary on the real network (squeezenet1_1, 128x96): the kept half of a
/// frame is the start image moved by the camera, resampled once; the other half dreams.
final class MaskCommandTests: CommandTestCase {
    let width = 128, height = 96, zoom = 1.05

    func settings(frames: Int = 5) throws -> [String] {
        [try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire3", "--size", "\(width)x\(height)",
         "--frames", String(frames), "--octaves", "2", "--steps", "4", "--step-size", "1.5", "--jitter", "8",
         "--zoom", String(zoom), "--seed", "0", "--threads", "2"]
    }

    /// A mask of `w` x `h`, black (keep) on the left half, white (dream) on the right.
    func halfMask(_ w: Int, _ h: Int, name: String = "mask.png") throws -> String {
        var m = FloatImage(width: w, height: h, fill: 255)
        for c in 0..<3 { for y in 0..<h { for x in 0..<(w / 2) { m.pixels[(c * h + y) * w + x] = 0 } } }
        let path = dir + "/" + name
        try PNGWriter.write(m, to: path)
        return path
    }

    /// The start image at the render's size moved by `frame - 1` zoom steps at once (one camera with the
    /// accumulated zoom, built here, not by the frame loop), rounded to 8 bits as a PNG holds it.
    func cameraMovedStart(frame: Int) throws -> FloatImage {
        let start = try ImageDecoder().decode(path: try testPhoto("dog.jpg")).coverCropped(width: width, height: height)
        let accumulated = Camera(zoom: pow(zoom, Double(frame - 1)))
        return FloatImage(rgb8: accumulated.next(start).rgb8(), width: width, height: height)
    }

    /// Largest and mean |difference| over columns `columns`, every row and channel.
    func difference(_ a: FloatImage, _ b: FloatImage, columns: Range<Int>) -> (max: Float, mean: Double) {
        var most: Float = 0, sum = 0.0, n = 0
        for c in 0..<3 { for y in 0..<height { for x in columns {
            let i = (c * height + y) * width + x
            let d = abs(a.pixels[i] - b.pixels[i])
            most = max(most, d); sum += Double(d); n += 1
        } } }
        return (most, sum / Double(n))
    }

    func frame(_ n: Int, in folder: String = "frames") throws -> FloatImage {
        try ImageDecoder().decode(path: dir + "/" + folder + String(format: "/frame_%05d.png", n))
    }

    /// The half left of the boundary (kept) and the half right of it (dreamed), leaving out 8 pixels on
    /// each side: the feather (sigma 1 px, times the zoom) and the Lanczos kernel's reach (3 px).
    var keptColumns: Range<Int> { 0..<(width / 2 - 8) }
    var dreamedColumns: Range<Int> { (width / 2 + 8)..<width }

    /// Renders with `mask`, then checks frame 5's halves against the camera-moved start image.
    func assertKeptAndDreamed(mask: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try dreamvideo(try settings() + ["--mask", mask, "--frames-dir", "frames"])
        XCTAssertEqual(run.status, 0, run.stderr, file: file, line: line)
        for n in [1, 5] {
            let moved = try cameraMovedStart(frame: n)
            let got = try frame(n)
            let kept = difference(got, moved, columns: keptColumns)
            let dreamed = difference(got, moved, columns: dreamedColumns)
            print("frame \(n): kept half |diff| max \(kept.max) mean \(kept.mean); dreamed half mean \(dreamed.mean)")
            XCTAssertLessThanOrEqual(kept.max, 1, "frame \(n)'s kept half is not the camera-moved start image", file: file, line: line)
            XCTAssertLessThan(kept.mean, 0.05, file: file, line: line)
            // Measured: 3.3 at frame 1, 6.9 at frame 5 (the dream builds up).
            XCTAssertGreaterThan(dreamed.mean, n == 1 ? 2 : 4, "frame \(n)'s other half did not dream", file: file, line: line)
        }
        // ...and the kept half did move with the camera: it is not the unmoved start image.
        let unmoved = difference(try frame(5), try cameraMovedStart(frame: 1), columns: keptColumns)
        XCTAssertGreaterThan(unmoved.mean, 4, "frame 5's kept half did not follow the zoom", file: file, line: line)
    }

    func testABlackHalfKeepsTheCameraMovedStartImageWhileTheOtherHalfDreams() throws {
        try assertKeptAndDreamed(mask: try halfMask(width, height))
        // The record beside the output names the mask by content, so --resume and a rerun can tell it.
        let record = try String(contentsOfFile: dir + "/frames.json", encoding: .utf8)
        XCTAssertTrue(record.contains("\"maskSHA256\""), record)
    }

    /// A mask of the input's aspect ratio but another size is scaled as the input is (dog.jpg is
    /// 768x576, 4:3, like 128x96 and 64x48).
    func testAMaskOfAnotherSizeWithTheInputsShapeIsScaled() throws {
        try assertKeptAndDreamed(mask: try halfMask(64, 48))
    }

    /// mask_strength keyframed from 1 (frames 1-3) to 0 (frame 5): the kept half dissolves into the dream.
    func testMaskStrengthKeyframesDissolveTheKeptPart() throws {
        let schedule = try write("""
            {"defaults": {"mask_strength": {"0": 1, "2": 1, "4": 0}}, "segments": [{"layer": "fire3", "frames": 5}]}
            """, to: "dissolve.json")
        let run = try dreamvideo(try settings() + ["--schedule", schedule, "--mask", try halfMask(width, height), "--frames-dir", "frames"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let held = difference(try frame(3), try cameraMovedStart(frame: 3), columns: keptColumns)
        let gone = difference(try frame(5), try cameraMovedStart(frame: 5), columns: keptColumns)
        print("kept half at strength 1 (frame 3): mean \(held.mean); at strength 0 (frame 5): mean \(gone.mean)")
        XCTAssertLessThanOrEqual(held.max, 1)
        XCTAssertGreaterThan(gone.mean, 2, "at mask_strength 0 the kept half still holds the start image")
        let record = try String(contentsOfFile: dir + "/frames.json", encoding: .utf8)
        XCTAssertTrue(record.contains("\"mask_strength\""), "the record does not carry the keyframes:\n\(record)")
    }

    /// One line, non-zero, nothing written, before any work.
    func assertRefused(_ extra: [String], saying words: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try listing()
        let run = try dreamvideo(try settings() + extra + ["-o", "out.mp4"])
        XCTAssertNotEqual(run.status, 0, file: file, line: line)
        XCTAssertFalse(run.crashed, run.stderr, file: file, line: line)
        let lines = run.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "not one line:\n\(run.stderr)", file: file, line: line)
        for w in words { XCTAssertTrue(run.stderr.contains(w), "no \"\(w)\" in: \(run.stderr)", file: file, line: line) }
        XCTAssertEqual(try listing(), before, "a refused render left files behind", file: file, line: line)
    }

    func testAMaskOfAnotherShapeIsRefusedBeforeAnyWork() throws {
        let square = try halfMask(100, 100)
        try assertRefused(["--mask", square], saying: ["--mask", "100x100", "768x576", "aspect ratio"])
    }

    func testAMaskThatIsNotAnImageIsRefusedBeforeAnyWork() throws {
        let text = try write("not a picture\n", to: "mask.txt")
        try assertRefused(["--mask", text], saying: ["--mask", "mask.txt", "not a PNG or JPEG"])
        try assertRefused(["--mask", dir + "/missing.png"], saying: ["--mask", "missing.png", "does not exist"])
    }

    func testMaskAndLoopAreRefusedForAVideoInput() throws {
        let video = try CraftedVideos(in: dir).h264TS("clip.ts", width: 64, height: 48)
        for extra in [["--mask", try halfMask(64, 48)], ["--loop"]] {
            let before = try listing()
            let run = try dreamvideo([video, "--model", "squeezenet1_1", "--layer", "fire3", "-o", "out.mp4"] + extra)
            XCTAssertNotEqual(run.status, 0)
            XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
            XCTAssertTrue(run.stderr.contains(extra[0]) && run.stderr.contains("video input"), run.stderr)
            XCTAssertEqual(try listing(), before)
        }
    }
}
