import Foundation
import FrameLoop
import XCTest

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
        var state = FrameLoop.State(canvas: FloatImage(width: 5, height: 4, pixels: px), framesDone: 17, rng: SeededRandom(seed: 3))
        for _ in 0..<11 { _ = state.rng.next() }

        let data = try JSONEncoder().encode(state)
        var back = try JSONDecoder().decode(FrameLoop.State.self, from: data)
        XCTAssertEqual(back.framesDone, 17)
        XCTAssertEqual(back.canvas.width, 5)
        XCTAssertEqual(back.canvas.height, 4)
        XCTAssertEqual(back.canvas.pixels.map(\.bitPattern), px.map(\.bitPattern))
        XCTAssertEqual((0..<50).map { _ in back.rng.next() }, (0..<50).map { _ in state.rng.next() },
                       "the random stream does not continue where it was")
        // Raw Float32, not decimal text: about 4/3 of 4 bytes a value.
        XCTAssertLessThan(data.count, 4 * px.count * 4 / 3 + 400)
    }

    func testPixelsOfTheWrongLengthAreRefused() throws {
        let json = #"{"width": 2, "height": 2, "float32le": "AAAAAA=="}"#
        XCTAssertThrowsError(try JSONDecoder().decode(FloatImage.self, from: Data(json.utf8)))
    }
}
