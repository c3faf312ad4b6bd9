import XCTest
import TestSupport
@testable import Imaging

/// `ChromaLimit` and the lightness it gives a colour: the palette transfer matches a*b* alone, so a
/// red logo's dreamed pinks were given its red at their own, lighter L*, where the limit and sRGB
/// hold only a pink (the palette's worst 30-frame window 0.27 against the goal's 0.6).
final class ChromaLimitTests: XCTestCase {
    /// A red rounded square with a cream letter on white, like `tools/make_look_inputs.sh`'s
    /// logo_red_alpha: red #e63946 (L* 52, chroma 74) with a soft edge into a cream bar (#f1faee), as
    /// a drawn logo's anti-aliasing has, and a white border.
    static func redLogo(width: Int = 128, height: Int = 72) -> FloatImage {
        var img = FloatImage(width: width, height: height, fill: 255)
        let n = width * height
        let red: [Float] = [230, 57, 70], cream: [Float] = [241, 250, 238]
        for y in 6..<(height - 6) {
            for x in 6..<(width - 6) {
                // Distance into the cream bar in the middle (negative inside); 3 pixels of blend.
                let d = Float(abs(x - width / 2)) - Float(width) / 10
                let t = max(0, min(1, (d + 1.5) / 3))   // 0 cream ... 1 red
                for c in 0..<3 { img.pixels[c * n + y * width + x] = cream[c] + t * (red[c] - cream[c]) }
            }
        }
        return img
    }

    func testTheNearestLightnessThatHoldsAColour() throws {
        let limit = try XCTUnwrap(ColourPalette(of: Self.redLogo()).chromaLimit)
        // The red's own chroma is held only about its own lightness.
        XCTAssertGreaterThan(limit(52), 70)
        XCTAssertLessThan(limit(76), 60)
        let l = limit.lightness(holding: 70, nearest: 76)
        XCTAssertGreaterThanOrEqual(limit(l), 70 - 1e-3)
        XCTAssertLessThan(l, 76)
        // Nearest: a little less colour is held closer.
        XCTAssertGreaterThan(limit.lightness(holding: 60, nearest: 76), l)
        // A colour the limit already holds keeps its lightness; one held nowhere goes to the most colourful.
        XCTAssertEqual(limit.lightness(holding: 5, nearest: 76), 76)
        let top = limit.lightness(holding: 500, nearest: 76)
        XCTAssertEqual(limit(top), limit.limits.max()!, accuracy: 1e-3)
    }

    /// Pinks given the logo's red darken toward the red's lightness; greys at the same lightness,
    /// given no colour, do not: their L* moves only by the lightness pull both share. The move is a
    /// smooth field (`LightnessMoveField`), so the two are drawn as areas and read away from their edge.
    func testAPinkGivenTheLogosRedTakesItsLightness() {
        let w = 128, h = 72, n = w * h
        var rng = SplitMix(seed: 11)
        var frame = FloatImage(width: w, height: h, fill: 0)
        // The left half a light pink (about L* 72, chroma 35), the right half a grey of that lightness.
        for i in 0..<n {
            let jitter = Float(Int(rng.next() % 11)) - 5
            let rgb: [Float] = i % w < w / 2 ? [240, 150, 155] : [178, 178, 178]
            for c in 0..<3 { frame.pixels[c * n + i] = rgb[c] + jitter }
        }
        let before = frame.labPlanes()
        // The frame's mean lightness pulled as a whole, so that only the move tells pinks from greys
        // (by parts the grey would also rise toward the logo's cream: LightnessByChromaTests).
        var palette = ColourPalette(of: Self.redLogo())
        palette.lightnessByChroma = nil
        let after = frame.colourPulled(toward: palette, strength: 0.3).labPlanes()
        var pinkMove: Double = 0, greyMove: Double = 0, pinks = 0, greys = 0
        for i in 0..<n {
            let move = Double(after[i] - before[i])
            if i % w < w / 2 - 16 { pinkMove += move; pinks += 1 } else if i % w >= w / 2 + 16 { greyMove += move; greys += 1 }
        }
        pinkMove /= Double(pinks); greyMove /= Double(greys)
        print("toward the red logo at coherence 0.3: L* of pinks \(pinkMove), of greys \(greyMove)")
        // Measured: pinks -6.5, greys +0.1 (with no lightness pull and the two interleaved pixel by
        // pixel, pinks -0.5).
        XCTAssertLessThan(pinkMove, greyMove - 3)
        XCTAssertEqual(greyMove, 0, accuracy: 1)
    }

    /// A picture with no pixels goes through colour coherence (and its lightness field) as itself.
    func testAnEmptyPictureStaysEmpty() {
        let out = FloatImage(width: 0, height: 0).colourPulled(toward: ColourPalette(of: Self.redLogo()), strength: 0.3)
        XCTAssertEqual(out.width * out.height, 0)
        XCTAssertEqual(out.pixels.count, 0)
    }

    /// The field is smooth and exact where it is flat: a move found on every pixel of a 320x180
    /// picture, or on every 6th of a 1920x1080 one, reads back where the moves are even.
    func testTheMoveFieldReadsBackAnEvenMove() {
        for (w, h, step) in [(320, 180, 1), (1920, 1080, 6), (7, 1, 1)] {
            let field = LightnessMoveField(width: w, height: h, step: step) { _ in -4 }.perPixel()
            XCTAssertEqual(field.count, w * h)
            for v in field { XCTAssertEqual(v, -4, accuracy: 1e-4) }
        }
        // A move on the left half only: full there, none on the right, between only near the edge.
        let field = LightnessMoveField(width: 320, height: 180, step: 1) { i in i % 320 < 160 ? -10 : 0 }.perPixel()
        let row = 90 * 320
        XCTAssertEqual(field[row + 20], -10, accuracy: 1e-3)
        XCTAssertEqual(field[row + 300], 0, accuracy: 1e-3)
        XCTAssertEqual(field[row + 159] + field[row + 160], -10, accuracy: 0.5)
    }
}
