import Media
import Foundation
import FrameLoop
import XCTest
import TestSupport
import Imaging
import Schedule

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

    // MARK: issue 10, item 10: the reader rebuilds its converter on every change, and opens only videos

    func decodeAll(_ path: String) throws -> [FloatImage] {
        var out: [FloatImage] = []
        try VideoReader(path: path).forEachFrame { out.append($0) }
        return out
    }

    /// What a mid-stream change must decode to: each part decoded alone (no change inside it).
    func assertDecodesLikeItsParts(_ video: String, _ parts: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let whole = try decodeAll(dir + "/" + video)
        let alone = try parts.flatMap { try decodeAll(dir + "/" + $0) }
        XCTAssertEqual(whole.count, alone.count, "frames", file: file, line: line)
        for (k, (a, b)) in zip(whole, alone).enumerated() {
            XCTAssertEqual("\(a.width)x\(a.height)", "\(b.width)x\(b.height)", "frame \(k + 1)", file: file, line: line)
            XCTAssertEqual(psnr(a, b, file: file, line: line), .infinity, "frame \(k + 1) decodes as it does alone", file: file, line: line)
        }
    }

    func testItem10PixelFormatChangeMidStreamDecodesEveryFrameCorrectly() throws {
        let crafted = CraftedVideos(in: dir)
        let (video, parts) = try crafted.pixelFormatChange()
        try assertDecodesLikeItsParts(video, parts)
        // And what each decodes to is right: ffmpeg's own RGB of the grey part, grey (R = G = B).
        let frames = try decodeAll(dir + "/" + video)
        let ffmpegGrey = try decodeRGB(dir + "/gray.mkv", width: 96, height: 64, in: dir)
        XCTAssertEqual(frames[3].rgb8(), ffmpegGrey.frames[0])
        let n = 96 * 64
        XCTAssertTrue((0..<n).allSatisfy { frames[4].pixels[$0] == frames[4].pixels[n + $0] }, "a grey frame has no colour")
        let ffmpegRGB = try decodeRGB(dir + "/rgb.mkv", width: 96, height: 64, in: dir)
        XCTAssertEqual(frames[6].rgb8(), ffmpegRGB.frames[0])
    }

    func testItem10ColourRangeChangeAtTheSameSizeRebuildsTheConverter() throws {
        let (video, parts) = try CraftedVideos(in: dir).rangeChange()
        try assertDecodesLikeItsParts(video, parts)
        // The two parts are one picture in two ranges: read with each part's own range they agree
        // within H.264's loss. (On a113bde the converter made for the limited part was kept and
        // stretched the full-range frames: `metrics` measured 95% of pixels clipped in them against 85%
        // in the limited part; the comparison with the parts above is what catches that.)
        let frames = try decodeAll(dir + "/" + video)
        XCTAssertLessThan(meanAbsDiff(frames[0].rgb8(), frames[3].rgb8()), 3)
    }

    func testItem10ResolutionChangeMidStreamDecodesEachFrameAtItsOwnSize() throws {
        let (video, parts) = try CraftedVideos(in: dir).resolutionChange()
        try assertDecodesLikeItsParts(video, parts)
        XCTAssertEqual(try decodeAll(dir + "/" + video).map { "\($0.width)x\($0.height)" },
                       ["64x48", "64x48", "64x48", "160x120", "160x120", "160x120", "64x48", "64x48", "64x48"])
    }

    func testItem10PlaylistsAndConcatScriptsNamedMP4AreRefused() throws {
        let crafted = CraftedVideos(in: dir)
        let target = try crafted.h264TS("private.ts", width: 64, height: 48)
        // Both would open private.ts (measured on a113bde: `metrics` printed its 3 frames for each).
        for name in [try crafted.concatScript(pointingAt: target), try crafted.hlsPlaylist(pointingAt: target)] {
            let path = dir + "/" + name
            XCTAssertThrowsError(try VideoReader(path: path).open(), name) { error in
                guard case .refusedFormat = error as? VideoReadError else { return XCTFail("\(name): \(error)") }
                XCTAssertTrue("\(error)".contains("not a video file"), "\(error)")
            }
            // The same from memory (what the fuzz target reads).
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            XCTAssertThrowsError(try VideoReader.open(bytes: bytes, name: name))
        }
        // The target itself is a fine video.
        XCTAssertEqual(try decodeAll(dir + "/" + target).count, 3)
    }

    func testItem10FrameSizeAndFrameCountAreBounded() throws {
        let video = dir + "/" + (try CraftedVideos(in: dir).h264TS("five.ts", width: 160, height: 120, frames: 5))
        // A header bigger than the memory allows is refused before any frame is decoded.
        let small = VideoLimits(memoryLimit: 100 * 100 * ImageDecoder.bytesPerPixel)
        XCTAssertThrowsError(try VideoReader(path: video, limits: small).open()) {
            XCTAssertTrue("\($0)".contains("160x120, larger than dreamvideo reads"), "\($0)")
        }
        // Frames past the count are not read.
        let frames = try VideoReader(path: video, limits: VideoLimits(maxFrames: 4)).open()
        for _ in 0..<4 { XCTAssertNotNil(try frames.next()) }
        XCTAssertThrowsError(try frames.next()) { XCTAssertEqual($0 as? VideoReadError, .tooManyFrames(path: video, limit: 4)) }
        // A pipe is refused before anything reads from it (reading would wait for a writer forever).
        let fifo = dir + "/pipe.mp4"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try VideoReader(path: fifo).open()) { XCTAssertEqual($0 as? VideoReadError, .notAFile(path: fifo)) }
    }

    func testItem10DecodingFromMemoryGivesTheFileFrames() throws {
        let (video, _) = try CraftedVideos(in: dir).resolutionChange()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + video)))
        let frames = try VideoReader.open(bytes: bytes, name: video)
        var fromMemory: [FloatImage] = []
        while let f = try frames.next() { fromMemory.append(f) }
        XCTAssertEqual(fromMemory, try decodeAll(dir + "/" + video))
    }
}
