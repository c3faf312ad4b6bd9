import Foundation
import FrameLoop
import XCTest
import Imaging
import Schedule

/// The loop's state survives a checkpoint bit for bit: the canvas (every Float, NaN payloads and
/// negative zero included), the frame count and the random stream's position.
final class StateCodingTests: XCTestCase {
    func testStateRoundTripsExactly() throws {
        var rng = SeededRandom(seed: 99)
        let px = (0..<3 * 5 * 4).map { i -> Float in
            switch i {
            case 0: return -0.0
            case 1: return .nan
            case 2: return .greatestFiniteMagnitude
            case 3: return .leastNonzeroMagnitude
            default: return Float(rng.int(in: -100_000...100_000)) / 391.7
            }
        }
        var state = ZoomLoop.State(canvas: FloatImage(width: 5, height: 4, pixels: px), framesDone: 17, rng: SeededRandom(seed: 3))
        for _ in 0..<11 { _ = state.rng.next() }

        let data = try JSONEncoder().encode(state)
        var back = try JSONDecoder().decode(ZoomLoop.State.self, from: data)
        XCTAssertEqual(back.framesDone, 17)
        XCTAssertEqual(back.canvas.width, 5)
        XCTAssertEqual(back.canvas.height, 4)
        XCTAssertEqual(back.canvas.pixels.map(\.bitPattern), px.map(\.bitPattern))
        XCTAssertEqual((0..<50).map { _ in back.rng.next() }, (0..<50).map { _ in state.rng.next() },
                       "the random stream does not continue where it was")
        // Raw Float32, not decimal text: about 4/3 of 4 bytes a value.
        XCTAssertLessThan(data.count, 4 * px.count * 4 / 3 + 400)
    }

    /// A palette in a checkpoint is indexed by the transfer (32 directions of 256 quantiles, 51 chroma
    /// limits): another shape is refused when it is read, not found out by a trap mid-render.
    func testPaletteOfAnotherShapeIsRefused() throws {
        let photo = FloatImage(width: 8, height: 6, pixels: (0..<3 * 8 * 6).map { Float(($0 * 37) % 256) })
        let palette = ColourPalette(of: photo)
        let data = try JSONEncoder().encode(palette)
        XCTAssertEqual(try JSONDecoder().decode(ColourPalette.self, from: data), palette, "a palette does not survive a checkpoint")
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        var quantiles = try XCTUnwrap(object["quantiles"] as? [[Double]])
        quantiles.removeLast()
        object["quantiles"] = quantiles
        XCTAssertThrowsError(try JSONDecoder().decode(ColourPalette.self, from: try JSONSerialization.data(withJSONObject: object)))
        object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        var limit = try XCTUnwrap(object["chromaLimit"] as? [String: Any])
        limit["limits"] = [1.0, 2.0]
        object["chromaLimit"] = limit
        XCTAssertThrowsError(try JSONDecoder().decode(ColourPalette.self, from: try JSONSerialization.data(withJSONObject: object)))
        // The colourful part's mean lightness is an L* value; a checkpoint from before it has none.
        object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertNotNil(object["lightnessByChroma"])
        object["lightnessByChroma"] = ["colour": 140.0]
        XCTAssertThrowsError(try JSONDecoder().decode(ColourPalette.self, from: try JSONSerialization.data(withJSONObject: object)))
        object["lightnessByChroma"] = nil
        XCTAssertNil(try JSONDecoder().decode(ColourPalette.self, from: try JSONSerialization.data(withJSONObject: object)).lightnessByChroma)
    }

    func testPixelsOfTheWrongLengthAreRefused() throws {
        let json = #"{"width": 2, "height": 2, "float32le": "AAAAAA=="}"#
        XCTAssertThrowsError(try JSONDecoder().decode(FloatImage.self, from: Data(json.utf8)))
    }
}

/// Item 5 of issue 10: every size in a stored state is checked, with overflow-reporting arithmetic,
/// against the render's own before anything is allocated for it.
final class StateDecodingLimitsTests: XCTestCase {
    func decoder(expecting width: Int, _ height: Int) -> JSONDecoder {
        let d = JSONDecoder()
        d.userInfo[FloatImage.expectedSize] = FloatImage.ExpectedSize(width: width, height: height)
        return d
    }

    func message(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let c) = error { return c.debugDescription }
        return "\(error)"
    }

    /// 2^62+1 x 1 made `3*w*h*4` wrap to 12, the length of the pixels given: the heap was corrupted.
    func testCheckpointWithOverflowingCanvasIsRefused() throws {
        let json = #"{"width": 4611686018427387905, "height": 1, "float32le": "AAAAAAAAAAAAAAAA"}"#
        XCTAssertThrowsError(try JSONDecoder().decode(FloatImage.self, from: Data(json.utf8))) {
            XCTAssertTrue(self.message($0).contains("4611686018427387905x1"), self.message($0))
        }
        XCTAssertNil(FloatImage.byteCount(width: (1 << 62) + 1, height: 1))
        XCTAssertNil(FloatImage.byteCount(width: -2, height: -3))
        XCTAssertEqual(FloatImage.byteCount(width: 96, height: 80), 96 * 80 * 12)
    }

    /// A huge width with a height of 0 (no pixels, so the byte count is 0) trapped in `FloatImage`'s
    /// own size check, `3 * width` overflowing (found by the checkpoint fuzzer): refused as not a size.
    func testZeroAreaCanvasWithAHugeSideIsRefused() throws {
        for json in [#"{"width": 3074457345618258603, "height": 0, "float32le": ""}"#,
                     #"{"width": 0, "height": 3074457345618258603, "float32le": ""}"#,
                     #"{"width": 0, "height": 0, "float32le": ""}"#] {
            XCTAssertThrowsError(try JSONDecoder().decode(FloatImage.self, from: Data(json.utf8))) {
                XCTAssertTrue(self.message($0).contains("which is not a size"), self.message($0))
            }
        }
    }

    /// With the render's size known, another size is refused from the width and height alone: the
    /// pixels (here not even base64) are never decoded.
    func testAnotherSizeIsRefusedBeforeThePixelsAreRead() throws {
        let json = #"{"width": 100000, "height": 100000, "float32le": "not base64 at all"}"#
        XCTAssertThrowsError(try decoder(expecting: 4, 2).decode(FloatImage.self, from: Data(json.utf8))) {
            XCTAssertTrue(self.message($0).contains("100000x100000") && self.message($0).contains("4x2"), self.message($0))
        }
    }

    /// Queued frames go through the same check as the canvas.
    func testQueuedFrameOfAnotherSizeIsRefused() throws {
        let good = FloatImage(width: 4, height: 2, pixels: [Float](repeating: 1, count: 24))
        let odd = FloatImage(width: 2, height: 4, pixels: [Float](repeating: 1, count: 24))
        let state = ZoomLoop.State(canvas: good, framesDone: 1, rng: SeededRandom(seed: 1), queued: [good, odd])
        let data = try JSONEncoder().encode(state)
        XCTAssertThrowsError(try decoder(expecting: 4, 2).decode(ZoomLoop.State.self, from: data)) {
            XCTAssertTrue(self.message($0).contains("2x4"), self.message($0))
        }
        XCTAssertNoThrow(try decoder(expecting: 2, 4).decode(FloatImage.self, from: try JSONEncoder().encode(odd)))
    }

    /// The counts a state holds, against a 100-frame render of 4x2.
    func testImpossibleCountsAreNamed() throws {
        let image = FloatImage(width: 4, height: 2, pixels: [Float](repeating: 0, count: 24))
        func problem(_ change: (inout ZoomLoop.State) -> Void) -> String? {
            var s = ZoomLoop.State(canvas: image, framesDone: 3, rng: SeededRandom(seed: 1))
            change(&s)
            return s.problem(continuing: 100, width: 4, height: 2)
        }
        XCTAssertNil(problem { _ in }, "the control: a state that fits")
        XCTAssertNil(problem { $0.queued = Array(repeating: image, count: ZoomLoop.State.mostQueued); $0.framesDone = 0 }, "a full cadence group fits")
        XCTAssertEqual(ZoomLoop.State.mostQueued, 15, "cadence is 1...16")
        XCTAssertNotNil(problem { $0.framesDone = -1 })
        XCTAssertNotNil(problem { $0.framesDone = 100 })
        XCTAssertNotNil(problem { $0.framesDone = .max })
        XCTAssertNotNil(problem { $0.queued = Array(repeating: image, count: 16); $0.framesDone = 0 })
        XCTAssertNotNil(problem { $0.queued = Array(repeating: image, count: 8); $0.framesDone = 95 }, "more queued than frames left")
        XCTAssertNotNil(problem { $0.canvas = FloatImage(width: 2, height: 4, pixels: image.pixels) })
        let zero = try JSONDecoder().decode(SeededRandom.self, from: Data(#"{"s0": 0, "s1": 0, "s2": 0, "s3": 0}"#.utf8))
        XCTAssertTrue(zero.isDegenerate)
        XCTAssertFalse(SeededRandom(seed: 0).isDegenerate)
        XCTAssertNotNil(problem { $0.rng = zero })
    }
}
