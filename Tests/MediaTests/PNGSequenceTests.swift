import Media
import Foundation
import FrameLoop
import XCTest
import TestSupport
import Imaging
import Schedule

final class PNGSequenceTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try makeTempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// Integer-valued pixels, so 8-bit storage is exact.
    func randomImage(width: Int, height: Int, seed: UInt64) -> FloatImage {
        var g = SplitMix(seed: seed)
        return FloatImage(width: width, height: height, pixels: (0..<3 * width * height).map { _ in Float(g.next() % 256) })
    }

    /// The forecast's probe of what writing costs (`encodeWithoutWriting`) makes no file and does not
    /// move the numbering: the next frame written is still frame 1.
    func testAnEncodeWithoutWritingMakesNoFile() throws {
        let frames = dir + "/frames"
        let sink = try PNGSequenceSink(directory: frames)
        try sink.encodeWithoutWriting(randomImage(width: 37, height: 21, seed: 1))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: frames), [])
        try sink.write(randomImage(width: 37, height: 21, seed: 2))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: frames), ["frame_00001.png"])
    }

    func testNamesAndExactRoundTrip() throws {
        let frames = dir + "/frames"
        let sink = try PNGSequenceSink(directory: frames)
        XCTAssertEqual(sink.pattern, "frame_%05d.png")
        let images = (0..<3).map { randomImage(width: 37, height: 21, seed: UInt64($0)) }
        for im in images { try sink.write(im) }
        try sink.finish()
        let names = try FileManager.default.contentsOfDirectory(atPath: frames).sorted()
        XCTAssertEqual(names, ["frame_00001.png", "frame_00002.png", "frame_00003.png"], "no temporaries may remain")
        for (i, im) in images.enumerated() {
            XCTAssertTrue(try ImageDecoder().decode(path: frames + "/frame_0000\(i + 1).png") == im, "frame \(i + 1)")
        }
        // ffmpeg reads the sequence through the printf pattern and agrees byte for byte.
        let decoded = try ffmpegRGB24(frames + "/" + sink.pattern)
        XCTAssertTrue(decoded == images.flatMap { $0.rgb8() }, "ffmpeg reads different pixels")
        XCTAssertThrowsError(try sink.write(images[0])) { XCTAssertEqual($0 as? PNGWriteError, .alreadyFinished) }
    }

    func testStartIndexAndWideNumbers() throws {
        let resumed = try PNGSequenceSink(directory: dir + "/resumed", startIndex: 7)
        try resumed.write(randomImage(width: 4, height: 3, seed: 1))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/resumed"), ["frame_00007.png"])
        XCTAssertEqual(resumed.nextIndex, 8)

        let long = try PNGSequenceSink(directory: dir + "/long", lastIndex: 123_456)
        XCTAssertEqual(long.digits, 6)
        XCTAssertEqual(long.pattern, "frame_%06d.png")
        XCTAssertEqual(long.fileName(index: 42), "frame_000042.png")
        // Names of one width sort in frame order.
        let names = [1, 9, 10, 99_999, 123_456].map { long.fileName(index: $0) }
        XCTAssertEqual(names.sorted(), names)
    }

    func testRoundingAndClamping() throws {
        let im = FloatImage(width: 4, height: 1, pixels: [-3, 0.4, 254.6, 300, 1.5, 2.49, 128, .nan, 7, 8, 9, 10])
        let path = dir + "/one.png"
        try PNGWriter.write(im, to: path)
        let back = try ImageDecoder().decode(path: path)
        XCTAssertEqual(back.pixels, [0, 0, 255, 255, 2, 2, 128, 0, 7, 8, 9, 10])
        XCTAssertEqual(try hiddenFiles(dir), [])
    }

    func testDirectoryRules() throws {
        XCTAssertThrowsError(try PNGSequenceSink(directory: dir + "/missing/frames")) {
            XCTAssertEqual($0 as? PNGWriteError, .parentMissing(directory: dir + "/missing/frames", parent: dir + "/missing"))
        }
        XCTAssertFalse(fileExists(dir + "/missing"))
        try Data().write(to: URL(fileURLWithPath: dir + "/file"))
        XCTAssertThrowsError(try PNGSequenceSink(directory: dir + "/file")) {
            XCTAssertEqual($0 as? PNGWriteError, .notADirectory(path: dir + "/file"))
        }
        XCTAssertThrowsError(try PNGWriter.write(randomImage(width: 2, height: 2, seed: 0), to: dir + "/nope/x.png")) {
            guard case .cannotWrite(let path, _) = $0 as? PNGWriteError else { return XCTFail("\($0)") }
            XCTAssertEqual(path, dir + "/nope/x.png")
        }
        let sink = try PNGSequenceSink(directory: dir + "/sized")
        try sink.write(randomImage(width: 4, height: 4, seed: 0))
        XCTAssertThrowsError(try sink.write(randomImage(width: 4, height: 5, seed: 0))) {
            XCTAssertEqual($0 as? PNGWriteError, .sizeChanged(expected: "4x4", got: "4x5"))
        }
    }
}
