import Foundation
import XCTest
import TestSupport

/// Real renders through the built binary: squeezenet1_1, small frames, few steps.
final class RenderTests: CommandTestCase {
    let width = 128, height = 96, frames = 5

    /// The dreaming settings shared by the render and its no-dream control (which differs only in --steps 0).
    func settings(steps: Int, seed: Int = 0, frames: Int? = nil) throws -> [String] {
        [try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire3", "--size", "\(width)x\(height)",
         "--frames", String(frames ?? self.frames), "--octaves", "2", "--steps", String(steps), "--step-size", "1.5",
         "--jitter", "8", "--zoom", "1.05", "--seed", String(seed), "--threads", "2"]
    }

    func pngNames(_ n: Int) -> [String] { (1...n).map { String(format: "frame_%05d.png", $0) } }

    func testRenderWritesAnMP4AndPNGsOfTheSameDreamedFrames() throws {
        let run = try dreamvideo(try settings(steps: 4) + ["-o", "out.mp4", "--frames-dir", "frames"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertFalse(run.crashed, run.stderr)
        XCTAssertEqual(try listing(), ["frames", "out.mp4", "out.mp4.json"], "no temporary, checkpoint or stray file is left beside the outputs and their settings")
        XCTAssertEqual(try listing(dir + "/frames"), pngNames(frames))

        // The container says what was asked, and ffprobe counts the frames by decoding them.
        let stream = try probe("out.mp4", in: dir)
        XCTAssertEqual(stream["codec_name"] as? String, "h264")
        XCTAssertEqual(stream["width"] as? Int, width)
        XCTAssertEqual(stream["height"] as? Int, height)
        XCTAssertEqual(stream["r_frame_rate"] as? String, "30/1")
        XCTAssertEqual(stream["nb_read_frames"] as? String, String(frames))

        // A full decode finds nothing wrong.
        let check = try runTool("ffmpeg", ["-v", "error", "-i", "out.mp4", "-f", "null", "-"], in: dir)
        XCTAssertEqual(check.status, 0)
        XCTAssertEqual(check.stderr, "", "ffmpeg reports problems decoding the MP4")
        XCTAssertEqual(check.stdout, "")

        let video = try decodeRGB("out.mp4", width: width, height: height, in: dir)
        let pngs = try decodeRGB("frames/frame_%05d.png", width: width, height: height, in: dir)
        XCTAssertEqual(video.frames.count, frames)
        XCTAssertEqual(pngs.frames.count, frames)
        guard video.frames.count == frames, pngs.frames.count == frames else { return }

        // Same frames in the same order: each video frame is close to its PNG and closer to it than to its neighbours.
        for k in 0..<frames {
            let own = lumaPSNR(video.frames[k], pngs.frames[k])
            XCTAssertGreaterThan(own, 30, "video frame \(k + 1) vs frame_\(k + 1).png: \(own) dB")
            for j in [k - 1, k + 1] where pngs.frames.indices.contains(j) {
                let other = lumaPSNR(video.frames[k], pngs.frames[j])
                XCTAssertGreaterThan(own, other + 1, "video frame \(k + 1) matches PNG \(j + 1) (\(other) dB) about as well as its own (\(own) dB)")
            }
        }

        // The network dreamed: the same render without gradient steps (a plain zoom of the input,
        // resampled the same way) differs from every frame, and more so as the dream builds up.
        let control = try dreamvideo(try settings(steps: 0) + ["--frames-dir", "control"])
        XCTAssertEqual(control.status, 0, control.stderr)
        let plain = try decodeRGB("control/frame_%05d.png", width: width, height: height, in: dir)
        XCTAssertEqual(plain.frames.count, frames)
        guard plain.frames.count == frames else { return }
        print("video vs PNG luma PSNR (dB):", (0..<frames).map { lumaPSNR(video.frames[$0], pngs.frames[$0]) },
              "dream vs plain zoom mean |diff|:", (0..<frames).map { meanAbsDiff(pngs.frames[$0], plain.frames[$0]) })
        for k in 0..<frames {
            let d = meanAbsDiff(pngs.frames[k], plain.frames[k])
            XCTAssertGreaterThan(d, 2, "frame \(k + 1) is almost the plain zoom of the input (mean |diff| \(d) of 255)")
        }
        XCTAssertGreaterThan(meanAbsDiff(pngs.frames[frames - 1], plain.frames[frames - 1]),
                             meanAbsDiff(pngs.frames[0], plain.frames[0]), "the dream does not build up from frame to frame")

        // ...and the camera moves: each frame differs from the one before.
        for k in 1..<frames {
            let d = meanAbsDiff(pngs.frames[k], pngs.frames[k - 1])
            XCTAssertGreaterThan(d, 1, "frame \(k + 1) barely differs from frame \(k) (mean |diff| \(d) of 255)")
        }
    }

    func testTheSameSeedGivesTheSameFramesAnotherSeedOthers() throws {
        for (folder, seed) in [("a", 7), ("b", 7), ("c", 8)] {
            let run = try dreamvideo(try settings(steps: 2, seed: seed, frames: 2) + ["--frames-dir", folder])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        for name in pngNames(2) {
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/a/\(name)"))
            let b = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/b/\(name)"))
            let c = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/c/\(name)"))
            XCTAssertEqual(a, b, "seed 7 twice gives different \(name)")
            XCTAssertNotEqual(a, c, "seeds 7 and 8 give the same \(name): the seed does not reach the jitter")
        }
    }
}
