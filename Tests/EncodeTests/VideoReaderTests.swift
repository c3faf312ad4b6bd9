import Encode
import Foundation
import FrameLoop
import XCTest
import TestSupport

/// Reading frames back (for `dreamvideo metrics`): a PNG folder exactly, an MP4 within H.264's loss.
final class VideoReaderTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try makeTempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// Smooth colour gradients that move from frame to frame (H.264 keeps these well).
    func frame(_ k: Int, width: Int = 96, height: Int = 64) -> FloatImage {
        var img = FloatImage(width: width, height: height)
        let plane = width * height
        for y in 0..<height { for x in 0..<width {
            let i = y * width + x
            img.pixels[i] = Float(20 + x * 2 + k * 3)
            img.pixels[plane + i] = Float(20 + y * 3 + k * 2)
            img.pixels[2 * plane + i] = Float(120 + k * 10)
        } }
        return img
    }

    func testPNGFolderReadsBackExactlyInOrder() throws {
        let sink = try PNGSequenceSink(directory: dir + "/f")
        let frames = (0..<12).map { frame($0) }   // 12 > 9: names must sort by number, not by accident
        for f in frames { try sink.write(f) }
        try sink.finish()
        var read: [FloatImage] = []
        try VideoReader(path: dir + "/f").forEachFrame { read.append($0) }
        XCTAssertEqual(read, frames)
    }

    func testMP4ReadsBackEveryFrameClose() throws {
        let path = dir + "/v.mp4"
        let sink = try MP4Sink(path: path, options: MP4Sink.Options(fps: 30, crf: 12, preset: "veryfast", codec: "libx264"))
        let frames = (0..<10).map { frame($0) }
        for f in frames { try sink.write(f) }
        try sink.finish()
        var read: [FloatImage] = []
        try VideoReader(path: path).forEachFrame { read.append($0) }
        XCTAssertEqual(read.count, 10)
        for (a, b) in zip(frames, read) {
            XCTAssertEqual(b.width, a.width); XCTAssertEqual(b.height, a.height)
            let mean = zip(a.pixels, b.pixels).map { abs($0 - $1) }.reduce(0, +) / Float(a.pixels.count)
            XCTAssertLessThan(mean, 3, "frames decode to what was encoded")
            // No large shift of level: a limited/full range mix-up moves values by ~10% (13-16 levels).
            // (The round trip measures ~2 levels darker; ffmpeg's own decoder sees most of that too.)
            let bias = zip(a.pixels, b.pixels).map { $1 - $0 }.reduce(0, +) / Float(a.pixels.count)
            XCTAssertEqual(bias, 0, accuracy: 3, "same colour range and matrix as the sink")
        }
        // Different frames stay different: the order is kept.
        let d01 = zip(read[0].pixels, read[1].pixels).map { abs($0 - $1) }.reduce(0, +) / Float(read[0].pixels.count)
        XCTAssertGreaterThan(d01, 2)
    }

    func testErrorsSayWhatToGive() throws {
        XCTAssertThrowsError(try VideoReader(path: dir + "/none.mp4").forEachFrame { _ in }) {
            XCTAssertTrue("\($0)".contains("no such file"))
        }
        try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
        XCTAssertThrowsError(try VideoReader(path: dir + "/empty").forEachFrame { _ in }) {
            XCTAssertTrue("\($0)".contains("holds no frames"))
        }
        FileManager.default.createFile(atPath: dir + "/text.mp4", contents: Data("hello".utf8))
        XCTAssertThrowsError(try VideoReader(path: dir + "/text.mp4").forEachFrame { _ in }) {
            XCTAssertTrue("\($0)".contains("cannot open as a video"))
        }
    }
}
