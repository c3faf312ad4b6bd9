import XCTest
import TestSupport
@testable import Imaging

/// `GamutChroma`: sRGB holds a saturated colour only over a span of lightness, so a dream's darker
/// strokes given a flag's red take a lighter L* instead of a duller red.
final class GamutChromaTests: XCTestCase {
    /// The table holds sRGB's red where it is, each entry is the edge of what `ColourSpace.inGamut`
    /// keeps, and at every hue it rises to one most colourful lightness and falls after it (so the
    /// nearest lightness that holds a colour is on the side of that one).
    func testTheTableIsSRGBsSlices() {
        let (l, a, b) = ColourSpace.lab(r: 255, g: 0, b: 0)
        let red = GamutChroma.table.withUnsafeBufferPointer {
            GamutChroma.most($0, hue: GamutChroma.hue(a: a, b: b), l: l)
        }
        XCTAssertGreaterThan(red, (a * a + b * b).squareRoot() - 4)
        for h in 0..<GamutChroma.hues {
            let row = Array(GamutChroma.table[(h * LightnessNodes.count)..<((h + 1) * LightnessNodes.count)])
            // Every entry is the edge: its colour within inGamut's overshoot, one more unit of chroma not.
            let angle = Float(2 * h) * .pi / 180
            for j in stride(from: 0, to: LightnessNodes.count, by: 5) {
                func inside(_ c: Float) -> Bool {
                    let (r, g, b) = ColourSpace.rgb(l: Float(2 * j), a: c * cosf(angle), b: c * sinf(angle))
                    return min(r, g, b) >= -ColourSpace.overshoot && max(r, g, b) <= 255 + ColourSpace.overshoot
                }
                XCTAssertTrue(inside(row[j]), "hue bin \(h), node \(j)")
                XCTAssertFalse(inside(row[j] + 1), "hue bin \(h), node \(j)")
            }
            let cusp = row.indices.max { row[$0] < row[$1] }!
            for j in 1..<LightnessNodes.count {
                if j <= cusp { XCTAssertGreaterThanOrEqual(row[j], row[j - 1] - 1e-3, "hue bin \(h), node \(j)") }
                else { XCTAssertLessThanOrEqual(row[j], row[j - 1] + 1e-3, "hue bin \(h), node \(j)") }
            }
        }
    }

    /// The flag's red (L* 48, a* 66, b* 46) from darker, lighter and its own lightness: the nearest
    /// lightness that holds it, and one step nearer does not.
    func testTheNearestLightnessThatHoldsTheFlagsRed() {
        let a: Float = 66.2, b: Float = 45.5, c = (a * a + b * b).squareRoot()
        GamutChroma.table.withUnsafeBufferPointer { t in
            let h = GamutChroma.hue(a: a, b: b)
            XCTAssertEqual(GamutChroma.lightness(t, holding: c, hue: h, nearest: 48), 48)
            let up = GamutChroma.lightness(t, holding: c, hue: h, nearest: 30)
            let down = GamutChroma.lightness(t, holding: c, hue: h, nearest: 75)
            XCTAssertGreaterThan(up, 38); XCTAssertLessThan(up, 48)
            XCTAssertGreaterThan(down, 55); XCTAssertLessThan(down, 70)
            for (l, toward) in [(up, Float(-0.5)), (down, Float(0.5))] {
                XCTAssertGreaterThanOrEqual(GamutChroma.most(t, hue: h, l: l), c - 0.01)
                XCTAssertLessThan(GamutChroma.most(t, hue: h, l: l + toward), c)
            }
            // More colour than any lightness holds: the most colourful one.
            let cusp = GamutChroma.lightness(t, holding: 500, hue: h, nearest: 30)
            let row = Array(GamutChroma.table[(h * LightnessNodes.count)..<((h + 1) * LightnessNodes.count)])
            XCTAssertEqual(cusp, Float(2 * row.indices.max { row[$0] < row[$1] }!))
            // A pixel moves the share of the way, times its own chroma's share of the colour (at most
            // 1); one sRGB holds, or a grey, stays.
            XCTAssertEqual(GamutChroma.lightness(t, l: 30, a: a, b: b, own: 2 * c, share: 0.5), 30 + 0.5 * (up - 30), accuracy: 1e-4)
            XCTAssertEqual(GamutChroma.lightness(t, l: 30, a: a, b: b, own: c / 4, share: 0.5), 30 + 0.125 * (up - 30), accuracy: 1e-4)
            XCTAssertEqual(GamutChroma.lightness(t, l: 48, a: a, b: b, own: c, share: 0.5), 48)
            XCTAssertEqual(GamutChroma.lightness(t, l: 30, a: 0, b: 0, own: c, share: 0.5), 30)
        }
    }

    /// A dark red stroke across the red logo is given the logo's red, which sRGB holds at its hue
    /// only from about L* 40 up: it lightens toward there. The rest of the logo, colours sRGB holds, is
    /// the same with the move or without. (The reference's chroma limit holds the red at the stroke's
    /// lightness: only the gamut moves it.)
    func testADarkRedStrokeGivenTheRedLightens() {
        var frame = ChromaLimitTests.redLogo()
        let w = frame.width, h = frame.height, n = w * h
        var rng = SplitMix(seed: 5)
        for y in 6..<(h - 6) {
            for x in 20..<36 {
                let rgb: [Float] = [80 + Float(Int(rng.next() % 7)) - 3, 0, 5]
                for c in 0..<3 { frame.pixels[c * n + y * w + x] = rgb[c] }
            }
        }
        let palette = ColourPalette(of: ChromaLimitTests.redLogo())
        let moved = frame.colourPulled(toward: palette, strength: 0.3, firstFrame: false, gamutShare: GamutChroma.share)
        let kept = frame.colourPulled(toward: palette, strength: 0.3, firstFrame: false, gamutShare: 0)
        let lm = moved.labPlanes(), lk = kept.labPlanes()
        var strokeMove: Double = 0, count = 0
        for y in 10..<(h - 10) { for x in 24..<32 { strokeMove += Double(lm[y * w + x] - lk[y * w + x]); count += 1 } }
        strokeMove /= Double(count)
        print("a dark red stroke given the red logo's red at coherence 0.3: L* \(strokeMove) higher with the gamut's move")
        // Measured: +2.8.
        XCTAssertGreaterThan(strokeMove, 2)
        for y in 0..<h {
            for x in 40..<w {
                let i = y * w + x
                XCTAssertEqual(moved.pixels[i], kept.pixels[i]); XCTAssertEqual(moved.pixels[2 * n + i], kept.pixels[2 * n + i])
            }
        }
    }
}
