import Schedule
import Imaging
import Media
import Foundation
import FrameLoop
import TestSupport
import XCTest

/// `--loop` through the built binary on the real network (squeezenet1_1, small frames): played on
/// repeat, the step from the last frame to the first is no larger than the video's usual step.
final class LoopCommandTests: CommandTestCase {
    let width = 128, height = 96, zoom = 1.05

    func settings(frames: Int, steps: Int = 4, threads: Int = 2) throws -> [String] {
        [try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire3", "--size", "\(width)x\(height)",
         "--frames", String(frames), "--octaves", "2", "--steps", String(steps), "--step-size", "1.5", "--jitter", "8",
         "--zoom", String(zoom), "--seed", "0", "--threads", String(threads)]
    }

    func frames(_ count: Int, in folder: String) throws -> [FloatImage] {
        try (1...count).map { try ImageDecoder().decode(path: dir + "/" + folder + String(format: "/frame_%05d.png", $0)) }
    }

    func meanAbs(_ a: FloatImage, _ b: FloatImage) -> Double {
        zip(a.pixels, b.pixels).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(a.pixels.count)
    }

    /// Each step with one frame of zoom undone (the frame before moved by the camera, against the frame
    /// after): k = 0..<count-1 between frames k+1 and k+2, and the wrap from the last frame to frame 1.
    func steps(_ f: [FloatImage]) -> (steps: [Double], wrap: Double) {
        let camera = Camera(zoom: zoom)
        let steps = (0..<(f.count - 1)).map { meanAbs(camera.next(f[$0]), f[$0 + 1]) }
        return (steps, meanAbs(camera.next(f[f.count - 1]), f[0]))
    }

    func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    func testTheLastFrameLeadsBackIntoTheFirst() throws {
        let count = 16
        let looped = try dreamvideo(try settings(frames: count) + ["--loop", "--frames-dir", "loop"])
        XCTAssertEqual(looped.status, 0, looped.stderr)
        let plain = try dreamvideo(try settings(frames: count) + ["--frames-dir", "plain"])
        XCTAssertEqual(plain.status, 0, plain.stderr)

        let l = steps(try frames(count, in: "loop")), p = steps(try frames(count, in: "plain"))
        let rawLoop = try frames(count, in: "loop")
        print("loop: median step \(median(l.steps)), wrap \(l.wrap), raw wrap (no zoom undone) \(meanAbs(rawLoop[count - 1], rawLoop[0]))",
              "steps \(l.steps.map { ($0 * 100).rounded() / 100 })")
        print("no loop: median step \(median(p.steps)), wrap \(p.wrap)")
        XCTAssertLessThanOrEqual(l.wrap, median(l.steps), "the loop jumps from the last frame to the first")
        // The same measure sees the jump a render without --loop makes: the check can fail.
        XCTAssertGreaterThan(p.wrap, 3 * median(p.steps), "without --loop the wrap should jump")
        // The frames before the fade are the plain render's: the loop changes only its end.
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/loop/frame_00005.png")),
                       try Data(contentsOf: URL(fileURLWithPath: dir + "/plain/frame_00005.png")))
        let record = try String(contentsOfFile: dir + "/loop.json", encoding: .utf8)
        XCTAssertTrue(record.contains("\"loop\" : true"), record)
    }

    func testLoopWithFewerThanEightFramesIsRefusedBeforeAnyWork() throws {
        let before = try listing()
        let run = try dreamvideo(try settings(frames: 7) + ["--loop", "-o", "out.mp4"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertFalse(run.crashed, run.stderr)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("--loop needs at least 8 frames") && run.stderr.contains("has 7"), run.stderr)
        XCTAssertEqual(try listing(), before)
    }

    /// Ctrl-C in the middle of a masked loop, then --resume: the frames are byte for byte those of a
    /// render never stopped (the checkpoint carries frame 1 for the fade; the record carries the mask);
    /// a resume with another mask is refused.
    func testAMaskedLoopStoppedAndResumedMakesTheSameFrames() throws {
        var mask = FloatImage(width: width, height: height, fill: 255)
        for c in 0..<3 { for y in 20..<70 { for x in 30..<90 { mask.pixels[(c * height + y) * width + x] = 0 } } }
        try PNGWriter.write(mask, to: dir + "/mask.png")
        mask.pixels[0] = 128
        try PNGWriter.write(mask, to: dir + "/other.png")
        let count = 12
        let args = try settings(frames: count, steps: 10, threads: 1) + ["--mask", "mask.png", "--loop"]
        let whole = try dreamvideo(args + ["--frames-dir", "whole"])
        XCTAssertEqual(whole.status, 0, whole.stderr)

        let stop = try interrupted(args + ["--frames-dir", "frames"], after: 3, signals: [SIGINT])
        XCTAssertEqual(stop.status, 128 + SIGINT, stop.stderr)
        XCTAssertTrue(fileExists(dir + "/frames.checkpoint"))

        let other = try dreamvideo(args.map { $0 == "mask.png" ? "other.png" : $0 } + ["--frames-dir", "frames", "--resume"])
        XCTAssertNotEqual(other.status, 0)
        XCTAssertTrue(other.stderr.contains("--mask's content"), other.stderr)

        let rest = try dreamvideo(args + ["--frames-dir", "frames", "--resume"])
        XCTAssertEqual(rest.status, 0, rest.stderr)
        XCTAssertTrue(rest.stderr.contains("resuming after frame"), rest.stderr)
        for n in 1...count {
            let name = String(format: "frame_%05d.png", n)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/frames/" + name)),
                           try Data(contentsOf: URL(fileURLWithPath: dir + "/whole/" + name)), "\(name) differs after the resume")
        }
    }
}

/// Camera moves at the ends of their ranges: the mask and the loop's fade meet pictures shrunk or blown
/// up thousands of times, and finish (no trap on an index, no kernel as wide as the picture).
final class ExtremeZoomCommandTests: CommandTestCase {
    func testFastZoomsWithAMaskAndALoopFinish() throws {
        var mask = FloatImage(width: 160, height: 120, fill: 255)
        for c in 0..<3 { for y in 40..<80 { for x in 50..<110 { mask.pixels[(c * 120 + y) * 160 + x] = 0 } } }
        try PNGWriter.write(mask, to: dir + "/mask.png")
        for (zoom, folder) in [("2", "in"), ("0.5", "out")] {
            let run = try dreamvideo([try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire3", "--size", "160x120",
                                      "--frames", "24", "--octaves", "1", "--steps", "1", "--zoom", zoom, "--threads", "2",
                                      "--mask", "mask.png", "--loop", "--frames-dir", folder])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertFalse(run.crashed, run.stderr)
            XCTAssertEqual(try listing(dir + "/" + folder).count, 24)
        }
    }
}
