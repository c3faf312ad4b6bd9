import XCTest
import TestSupport
@testable import Imaging

/// `PaletteSettle`: a pixel near a palette colour it is given takes it, so the colours a dream shifts
/// a little each frame stay the palette's instead of settling a bin away.
final class PaletteSettleTests: XCTestCase {
    func testTheShareOfTheWay() {
        let green = (a: Float(-52), b: Float(35)), reach = PaletteSettle.reach
        // Already there: all of the way. As far as the reach, or further: none.
        XCTAssertEqual(PaletteSettle.share(own: green, given: green), 1, accuracy: 1e-6)
        XCTAssertEqual(PaletteSettle.share(own: (green.a + reach, green.b), given: green), 0, accuracy: 1e-6)
        XCTAssertEqual(PaletteSettle.share(own: (green.a + 40, green.b), given: green), 0, accuracy: 1e-6)
        // Half the reach: half.
        XCTAssertEqual(PaletteSettle.share(own: (green.a + reach / 2, green.b), given: green), 0.5, accuracy: 1e-5)
        // Given grey: none, however near (a grey picture's faint tints are the dream's); a pale
        // colour in proportion to its chroma.
        XCTAssertEqual(PaletteSettle.share(own: (1, -1), given: (0, 0)), 0, accuracy: 1e-6)
        XCTAssertEqual(PaletteSettle.share(own: (reach / 2, 0), given: (reach / 2, 0)), 0.5, accuracy: 1e-5)
    }

    /// A green-and-white logo whose green a dream turns 3 degrees of hue each frame, pulled after each
    /// turn at the default strength 0.3: with the strength alone the green would rest where 70% of
    /// (offset + turn) is the offset, 7 degrees (about 7.6 a*b*) from the logo's; settling, within 3.
    func testADreamsDriftStaysOnThePalette() throws {
        let w = 64, h = 36, n = w * h
        var logo = FloatImage(width: w, height: h, fill: 255)
        let green: [Float] = [60, 180, 75]
        for y in 0..<h { for x in 0..<(w / 2) { for c in 0..<3 { logo.pixels[c * n + y * w + x] = green[c] } } }
        let palette = ColourPalette(of: logo)
        let (gl, ga, gb) = ColourSpace.lab(r: green[0], g: green[1], b: green[2])
        var frame = logo
        let turn = Float(3) * .pi / 180
        for _ in 0..<20 {
            for i in 0..<n {
                var (l, a, b) = ColourSpace.lab(r: frame.pixels[i], g: frame.pixels[n + i], b: frame.pixels[2 * n + i])
                (a, b) = (a * cosf(turn) - b * sinf(turn), a * sinf(turn) + b * cosf(turn))
                let (r, g, bl) = ColourSpace.rgb(l: l, a: a, b: b)
                frame.pixels[i] = r; frame.pixels[n + i] = g; frame.pixels[2 * n + i] = bl
            }
            frame = frame.colourPulled(toward: palette, strength: 0.3)
        }
        var da: Float = 0, db: Float = 0, dl: Float = 0
        for y in 0..<h {
            for x in 0..<(w / 2) {
                let i = y * w + x
                let (l, a, b) = ColourSpace.lab(r: frame.pixels[i], g: frame.pixels[n + i], b: frame.pixels[2 * n + i])
                da += a - ga; db += b - gb; dl += l - gl
            }
        }
        let m = Float(n / 2)
        let off = ((da / m) * (da / m) + (db / m) * (db / m)).squareRoot()
        XCTAssertLessThan(off, 3, "the green ends \(off) a*b* from the logo's")
        XCTAssertLessThan(abs(dl / m), 3)
    }
}
