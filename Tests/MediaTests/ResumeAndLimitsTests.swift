import Media
import Foundation
import FrameLoop
import XCTest
import TestSupport
import Imaging
import Schedule

final class ResumeAndLimitsTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try makeTempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// A video continued by a second sink holds the first sink's frames (copied, not re-encoded) and
    /// then its own, in order; a different size is refused before anything is written.
    func testContinuingAVideoKeepsEveryFrameInOrder() throws {
        let path = dir + "/out.mp4"
        let frames = (0..<20).map { movingPattern(width: 96, height: 64, t: $0) }
        let first = try MP4Sink(path: path, options: .init(crf: 10))
        for f in frames[..<8] { try first.write(f) }
        try first.finish()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        XCTAssertThrowsError(try {
            let s = try MP4Sink(path: path, options: .init(crf: 10), continuing: path)
            try s.write(movingPattern(width: 80, height: 64, t: 0))
        }()) { error in
            XCTAssertTrue("\(error)".contains("80x64"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before, "a refused continuation changed the video")

        let second = try MP4Sink(path: path, options: .init(crf: 10), continuing: path)
        XCTAssertEqual(second.previousFrames, 8)
        for f in frames[8...] { try second.write(f) }
        try second.finish()

        let s = try probe(path)
        XCTAssertEqual(s["nb_read_frames"] as? String, "20")
        let raw = try ffmpegRGB24(path), size = 3 * 96 * 64
        let decoded = stride(from: 0, to: raw.count, by: size).map { Array(raw[$0..<$0 + size]) }
        XCTAssertEqual(decoded.count, 20)
        for (k, f) in decoded.enumerated() {
            let own = psnr(f, frames[k].rgb8())
            XCTAssertGreaterThan(own, 30, "frame \(k + 1) of the continued video is not the frame written (\(own) dB)")
            if k > 0 { XCTAssertGreaterThan(own, psnr(f, frames[k - 1].rgb8()), "frame \(k + 1) is out of order") }
        }
    }

    /// A video kept fragmented (a render stopped on a full disk keeps it so) is continued the same way:
    /// its packets copied, then the new frames, every frame once and in order.
    func testContinuingAFragmentedVideoKeepsEveryFrameInOrder() throws {
        let path = dir + "/out.mp4"
        let frames = (0..<100).map { movingPattern(width: 96, height: 64, t: $0) }
        let first = try MP4Sink(path: path, options: .init(crf: 10))
        // x264 (medium) holds ~40 frames back: after 80, at least one fragment of 30 is whole.
        for f in frames[..<80] { try first.write(f) }
        XCTAssertEqual(first.abandonKeepingWhatIsWhole(), .wholeFragments)
        let held = Int(try probe(path)["nb_read_frames"] as? String ?? "") ?? -1
        XCTAssertTrue((1..<80).contains(held), "\(held) frames in the whole fragments")
        XCTAssertTrue(try topLevelBoxes(path).contains("moof"), "not fragmented")

        let second = try MP4Sink(path: path, options: .init(crf: 10), continuing: path)
        XCTAssertEqual(second.previousFrames, held)
        for f in frames[held...] { try second.write(f) }
        try second.finish()
        XCTAssertEqual(second.layout, .faststart)
        XCTAssertEqual(try probe(path)["nb_read_frames"] as? String, "100")
        let raw = try ffmpegRGB24(path), size = 3 * 96 * 64
        let decoded = stride(from: 0, to: raw.count, by: size).map { Array(raw[$0..<$0 + size]) }
        XCTAssertEqual(decoded.count, 100)
        for (k, f) in decoded.enumerated() {
            let own = psnr(f, frames[k].rgb8())
            XCTAssertGreaterThan(own, 30, "frame \(k + 1) of the continued video is not the frame written (\(own) dB)")
            if k > 0 { XCTAssertGreaterThan(own, psnr(f, frames[k - 1].rgb8()), "frame \(k + 1) is out of order") }
        }
    }

    /// An image whose header asks for more memory than allowed is refused from the header alone.
    func testDecoderRefusesAnImageBeyondItsMemoryLimit() throws {
        let png = dir + "/p.png"
        try PNGWriter.write(movingPattern(width: 64, height: 48, t: 0), to: png)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: png)))
        XCTAssertNoThrow(try ImageDecoder(memoryLimit: 64 * 48 * ImageDecoder.bytesPerPixel).decode(bytes: bytes, path: "p.png"))
        XCTAssertThrowsError(try ImageDecoder(memoryLimit: 64 * 48 * ImageDecoder.bytesPerPixel - 1).decode(bytes: bytes, path: "p.png")) { error in
            guard case ImageDecodeError.tooLargeForMemory(_, 64, 48, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("98 kB"), "\(error)")
        }
    }
}
