import Foundation
import XCTest
import TestSupport

/// Issue 10, item 9 through the binary: frames that change size. `metrics` refuses them in one line
/// naming the frame (on a113bde: SIGSEGV for a folder of mixed sizes and for a video that grows); a
/// video INPUT whose frames change size is dreamed with every frame cover-cropped to the output size.
final class FrameSizeChangeTests: CommandTestCase {
    func testItem9MetricsOfAFolderOfMixedSizesIsOneErrorLine() throws {
        let frames = dir + "/frames"
        try FileManager.default.createDirectory(atPath: frames, withIntermediateDirectories: false)
        for (k, size) in ["64x48", "320x240", "32x24"].enumerated() {
            let r = try runTool("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=\(size)", "-frames:v", "1",
                                           frames + "/frame_0000\(k + 1).png"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let run = try dreamvideo(["metrics", "frames"])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertFalse(run.crashed, run.stderr)
        XCTAssertEqual(run.stderrLines, ["error: frames: frame 2 is 320x240 but the frame before it is 64x48; metrics compares "
                                         + "each frame with the one before, so all frames must have one size: resize the frame files to one size (64x48) first"])
        XCTAssertEqual(run.stdout, "")
    }

    func testItem9MetricsOfAVideoWhoseResolutionChangesIsOneErrorLine() throws {
        let (video, _) = try CraftedVideos(in: dir).resolutionChange()
        let run = try dreamvideo(["metrics", video])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertFalse(run.crashed, run.stderr)
        XCTAssertEqual(run.stderrLines.count, 1, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("error: sizes.ts: frame 4 is 160x120 but the frame before it is 64x48;"), run.stderr)
        // As --source too: the dreamed video is fine, its source grows.
        let plain = try CraftedVideos(in: dir).h264TS("plain.ts", width: 64, height: 48, frames: 9)
        let withSource = try dreamvideo(["metrics", plain, "--source", video])
        XCTAssertEqual(withSource.status, 0, withSource.stderr)
        XCTAssertTrue(withSource.stdout.contains("dream flicker"), withSource.stdout)
    }

    func testItem9AVideoInputWhoseFramesChangeSizeIsDreamedAtOneSize() throws {
        let (video, _) = try CraftedVideos(in: dir).resolutionChange()
        let run = try dreamvideo([video, "--model", "squeezenet1_1", "--layer", "fire3", "--octaves", "1", "--steps", "1",
                                  "--size", "96x76", "--threads", "2", "--frames-dir", "out"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertFalse(run.crashed, run.stderr)
        let written = try listing(dir + "/out").filter { $0.hasSuffix(".png") }
        XCTAssertEqual(written.count, 9)
        for name in written {
            let p = try probe(dir + "/out/" + name)
            XCTAssertEqual("\(p["width"] ?? "")x\(p["height"] ?? "")", "96x76", name)
        }
    }

    func testItem10APlaylistNamedMP4IsRefusedByEveryCommand() throws {
        let crafted = CraftedVideos(in: dir)
        let target = try crafted.h264TS("private.ts", width: 96, height: 64, frames: 3)
        let playlist = try crafted.hlsPlaylist(pointingAt: target)
        for args in [["metrics", playlist], [playlist, "--model", "squeezenet1_1", "--frames", "1", "-o", "out.mp4"]] {
            let run = try dreamvideo(args)
            XCTAssertEqual(run.status, 1, run.stderr)
            XCTAssertEqual(run.stderrLines.count, 1, run.stderr)
            XCTAssertTrue(run.stderr.contains("playlist.mp4: is not a video file"), run.stderr)
        }
        XCTAssertFalse(fileExists(dir + "/out.mp4"))
    }
}
