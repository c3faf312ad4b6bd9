import XCTest
import TestSupport
@testable import Imaging

/// `LightnessByChroma`: colour coherence pulls a frame's colourful part toward the reference's
/// colours' lightness, so a zoom into a flat logo on white does not lift the logo's colour to make up
/// for the white that left the view.
final class LightnessByChromaTests: XCTestCase {
    static let orange: [Float] = [249, 115, 22]

    /// The left `orangeShare` of the width orange (#f97316, L* 64), the rest white.
    static func logo(width: Int = 80, height: Int = 45, orangeShare: Double) -> FloatImage {
        var img = FloatImage(width: width, height: height, fill: 255)
        let n = width * height, cut = Int(Double(width) * orangeShare)
        for y in 0..<height { for x in 0..<cut { for c in 0..<3 { img.pixels[c * n + y * width + x] = orange[c] } } }
        return img
    }

    func testThePartsOfALogo() throws {
        let parts = try XCTUnwrap(ColourPalette(of: Self.logo(orangeShare: 0.5)).lightnessByChroma)
        XCTAssertEqual(parts.colour, ColourSpace.lab(r: 249, g: 115, b: 22).0, accuracy: 1)
        // A grey picture has no colourful part, nor has a white one with a sliver of orange (0.5% of
        // the width: under 1% of the weight); 5% of it has one.
        XCTAssertNil(ColourPalette(of: FloatImage(width: 8, height: 8, fill: 128)).lightnessByChroma)
        XCTAssertNil(ColourPalette(of: Self.logo(width: 400, orangeShare: 0.005)).lightnessByChroma)
        XCTAssertNotNil(ColourPalette(of: Self.logo(width: 400, orangeShare: 0.05)).lightnessByChroma)
    }

    /// The reference is half orange, half white; the frame, zoomed in, 90% orange. Pulled as a whole,
    /// the frame's mean (L* 68) goes 0.3 of the way to the reference's (82): the orange rises 2.7 L*
    /// (measured). By parts, the orange part is already at the reference's orange: it stays (but for
    /// its small grey share, 0.06, of the whole mean's move).
    func testAZoomIntoTheLogoKeepsItsColoursLightness() throws {
        let palette = ColourPalette(of: Self.logo(orangeShare: 0.5))
        var whole = palette
        whole.lightnessByChroma = nil   // a checkpoint from before the parts
        let frame = Self.logo(orangeShare: 0.9)
        let l0 = ColourSpace.lab(r: 249, g: 115, b: 22).0
        func orangeLightness(_ img: FloatImage) -> Float {
            let n = img.width * img.height
            var sum: Float = 0, count = 0
            for y in 0..<img.height {
                for x in 0..<(img.width / 2) {
                    let i = y * img.width + x
                    sum += ColourSpace.lab(r: img.pixels[i], g: img.pixels[n + i], b: img.pixels[2 * n + i]).0; count += 1
                }
            }
            return sum / Float(count)
        }
        let byParts = orangeLightness(frame.colourPulled(toward: palette, strength: 0.3)) - l0
        let asWhole = orangeLightness(frame.colourPulled(toward: whole, strength: 0.3)) - l0
        XCTAssertLessThan(abs(byParts), 1, "pulled by parts the orange moves \(byParts) L*")
        XCTAssertGreaterThan(asWhole, 2, "pulled as a whole the orange moves \(asWhole) L*")
    }

    /// The reference is half orange, half white; the frame, zoomed in, is all orange (L* 64) but for
    /// three grey parts the dream painted: a 1-pixel light stroke (L* 80), a 1-pixel dark one (L* 40)
    /// and a grey block 10 pixels wide (L* 90). The frame's mean is under the reference's, so the pull
    /// lifts it. The light stroke, far above its base, takes none of the lift (it would go on to white
    /// frame after frame); the dark stroke and the block's inside take all of it, as without the rule.
    func testALiftPassesOverLightGreyStrokes() throws {
        let palette = ColourPalette(of: Self.logo(orangeShare: 0.5))
        let w = 80, h = 45, n = w * h
        let orange = ColourSpace.lab(r: 249, g: 115, b: 22)
        var lightness = [Float](repeating: orange.0, count: n)
        var chroma = [Float](repeating: (orange.1 * orange.1 + orange.2 * orange.2).squareRoot(), count: n)
        for y in 0..<h {
            for (x, l) in [(20, 80), (40, 40)] + (60..<70).map({ ($0, 90) }) {
                lightness[y * w + x] = Float(l); chroma[y * w + x] = 0
            }
        }
        let pulled = LightnessPull(lightness: lightness[...], chroma: chroma, width: w, height: h, toward: palette, strength: 0.3)
        let whole = LightnessPull(lightness: lightness[...], chroma: chroma, width: w, height: h, toward: palette,
                                  strength: 0.3, liftReach: .infinity)
        let move = 0.3 * (Float(palette.stats.meanL) - lightness.reduce(0, +) / Float(n))
        XCTAssertGreaterThan(move, 4, "the frame is lifted")
        let light = 20 * w + 20, dark = 20 * w + 40, block = 20 * w + 65
        XCTAssertEqual(whole(block, 90), pulled(block, 90), accuracy: 1e-4, "the grey block's inside takes all of the lift")
        XCTAssertEqual(whole(light, 80) - pulled(light, 80), move, accuracy: 0.05 * move, "the light stroke takes none of the lift")
        XCTAssertEqual(whole(dark, 40), pulled(dark, 40), accuracy: 1e-4, "the dark stroke takes all of it")
    }
}
