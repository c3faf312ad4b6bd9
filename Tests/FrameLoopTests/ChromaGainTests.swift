import XCTest
import FrameLoop
import TestSupport
@testable import Imaging

/// Colour coherence keeps the frame's colourfulness (`ChromaGain` in `colourPulled`): a long zoom
/// into a flat logo went paler (mean chroma of the last 30 frames 0.60-0.78 of the first 30's over
/// 300 frames of the default walk) because its colour drifts to pale lightnesses where `ChromaLimit`
/// lets no palette colour go.
final class ChromaGainTests: XCTestCase {
    func meanChroma(_ img: FloatImage) -> Double {
        let lab = img.labPlanes(), n = img.width * img.height
        var sum = 0.0
        for i in 0..<n { sum += Double((lab[n + i] * lab[n + i] + lab[2 * n + i] * lab[2 * n + i]).squareRoot()) }
        return sum / Double(n)
    }

    /// Share of pixels with L* above `lightness` and chroma above `chroma`.
    func paleAndColourful(_ img: FloatImage, lightness: Float = 90, chroma: Float = 12) -> Double {
        let lab = img.labPlanes(), n = img.width * img.height
        var count = 0
        for i in 0..<n where lab[i] > lightness {
            if (lab[n + i] * lab[n + i] + lab[2 * n + i] * lab[2 * n + i]).squareRoot() > chroma { count += 1 }
        }
        return Double(count) / Double(n)
    }

    /// What frame 300 of a zoom into the flat logo looks like to the colour stage: most of the
    /// logo's colour has gone pale (L* 85-95, a faint tint of its hue), a quarter of it is left at
    /// its own lightness with 60% of its chroma, and the white is pale texture with faint tints.
    static func faded(_ logo: FloatImage) -> FloatImage {
        var lab = logo.labPlanes()
        let n = logo.width * logo.height
        var rng = SplitMix(seed: 17)
        for i in 0..<n {
            let a = lab[n + i], b = lab[2 * n + i], c = (a * a + b * b).squareRoot()
            let jitter = Float(Int(rng.next() % 11)) - 5
            if c > 20 {
                if i % 4 == 0 {
                    lab[n + i] = 0.6 * a; lab[2 * n + i] = 0.6 * b
                } else {
                    lab[i] = 90 + jitter; lab[n + i] = 3 * a / c; lab[2 * n + i] = 3 * b / c
                }
            } else {
                lab[i] = 94 + jitter
                lab[n + i] = Float(Int(rng.next() % 5)) - 2; lab[2 * n + i] = Float(Int(rng.next() % 5)) - 2
            }
        }
        return FloatImage(labPlanes: lab, width: logo.width, height: logo.height)
    }

    func testAFadedFrameGetsItsColourfulnessBack() {
        let logo = PaletteTests.logo()
        var palette = ColourPalette(of: logo)
        // The frame's mean lightness pulled as a whole, so that the comparison shows the gain alone:
        // by parts (LightnessByChroma) the faded colours, counted as grey, move with the whole mean
        // and the logo's colours by their own, and the lightness (and with it ChromaLimit) differs
        // between the two runs. (When the grey part was pulled toward the logo's white, ten pulls
        // closed 0.856 with the gain and 0.867 without.)
        palette.lightnessByChroma = nil
        let reference = meanChroma(logo)
        XCTAssertEqual(palette.meanChroma ?? 0, reference, accuracy: 0.5)
        var old = palette
        old.meanChroma = nil   // a checkpoint from before the gain: the transfer and the limit alone
        let faded = Self.faded(logo), before = meanChroma(faded)
        // One frame of the default walk's coherence (0.3): the share of the gap to the reference's
        // mean chroma that it closes.
        func closed(_ img: FloatImage) -> Double { (meanChroma(img) - before) / (reference - before) }
        // No lightness move for the gamut (GamutChroma) either: it keeps colour in both runs, and the
        // gap the gain closes beyond the run without it is what is measured (with the move, ten pulls
        // closed 0.937 and 0.916).
        func pulled(_ img: FloatImage, _ p: ColourPalette) -> FloatImage {
            img.colourPulled(toward: p, strength: 0.3, firstFrame: false, gamutShare: 0)
        }
        let once = pulled(faded, palette), onceOld = pulled(faded, old)
        // Ten frames, with no dream between them.
        var ten = faded, tenOld = faded
        for _ in 0..<10 { ten = pulled(ten, palette); tenOld = pulled(tenOld, old) }
        print("mean chroma: logo \(reference), faded \(before); gap closed in one pull \(closed(once)) (without the gain \(closed(onceOld))), "
              + "in ten \(closed(ten)) (\(closed(tenOld))); pale and colourful \(paleAndColourful(ten)) / \(paleAndColourful(tenOld))")
        XCTAssertLessThan(before, 0.5 * reference)
        // Measured: one pull closes 0.264 of the gap (0.209 without the gain), ten 0.935 (0.869).
        // Before PaletteSettle: 0.239 (0.205), ten 0.976 (0.825; 0.929 when the gain aimed only the
        // coherence's share of the way, ChromaGain.pull): the pixels that settle on the palette's
        // colours close much of the gap without the gain, and what the gain gives them it gives no more.
        // Without a dream between them the transfer and the lightness pull close most of it alone;
        // in the walk the dream fades the colour again every frame, where the gain's share counts.
        XCTAssertGreaterThan(closed(once), closed(onceOld) + 0.02)
        XCTAssertGreaterThan(closed(ten), 0.9)
        XCTAssertGreaterThan(closed(ten), closed(tenOld) + 0.03)
        XCTAssertLessThan(meanChroma(ten), 1.33 * reference)
        // The colour goes back where the reference has colour, not onto the pale texture (the
        // mint patches ChromaLimit keeps away).
        XCTAssertLessThan(paleAndColourful(ten), 0.01)
    }

    /// A greyscale start (chroma 0): the dream's faint tints fade and nothing is made colourful.
    func testAGreyReferenceKeepsTheFramesGrey() {
        let w = 96, h = 64, n = w * h
        var rng = SplitMix(seed: 23)
        var grey = FloatImage(width: w, height: h, fill: 0)
        for i in 0..<n {
            let v = Float(30 + Int(rng.next() % 200))
            for c in 0..<3 { grey.pixels[c * n + i] = v }
        }
        let palette = ColourPalette(of: grey)
        XCTAssertEqual(palette.meanChroma ?? -1, 0, accuracy: 0.5)
        // The dream's tints: a few units of chroma on every pixel.
        var tinted = grey
        for i in 0..<n {
            tinted.pixels[i] += Float(Int(rng.next() % 9)) - 4
            tinted.pixels[2 * n + i] += Float(Int(rng.next() % 9)) - 4
        }
        var frame = tinted
        var chroma = [meanChroma(frame)]
        for _ in 0..<10 {
            frame = frame.colourPulled(toward: palette, strength: 0.3)
            chroma.append(meanChroma(frame))
        }
        print("mean chroma toward a grey reference: \(chroma)")
        XCTAssertGreaterThan(chroma[0], 1)
        for k in 1..<chroma.count { XCTAssertLessThanOrEqual(chroma[k], chroma[k - 1] + 1e-3, "frame \(k)") }
        XCTAssertLessThan(chroma.last!, 0.3 * chroma[0])
        // A grey frame stays exactly grey (no gain of a colour that is not there).
        let pulledGrey = grey.colourPulled(toward: palette, strength: 0.3)
        XCTAssertLessThan(meanChroma(pulledGrey), 0.05)

        // Frame 1 has no frame before it to stay close to: its gain takes the tint straight down to
        // `ChromaGain.unseen` (a grey photo's video began with a tint of mean chroma 3.8 that faded to
        // 1.4 over 30 frames), and no further: below it no eye sees a colour, and a pull to exact
        // grey put frame 1's colours on the corner of four a*b* histogram bins that the later
        // frames' faint tints spread over (palette overlap 0.48 on a grey photo).
        var speckled = grey   // frame 1's dream on a grey photo: mean chroma 3.8 after the colour stage
        for i in 0..<n {
            speckled.pixels[i] += Float(Int(rng.next() % 25)) - 12
            speckled.pixels[2 * n + i] += Float(Int(rng.next() % 25)) - 12
        }
        let later = meanChroma(speckled.colourPulled(toward: palette, strength: 0.3))
        let first = meanChroma(speckled.colourPulled(toward: palette, strength: 0.3, firstFrame: true))
        print("a grey reference, a speckled dream of mean chroma \(meanChroma(speckled)): \(first) as frame 1, \(later) as a later frame")
        XCTAssertGreaterThan(later, 2 * ChromaGain.unseen)
        XCTAssertEqual(first, ChromaGain.unseen, accuracy: 0.15)
    }

    /// How far one frame's gain may go: up to 1.4x (a frame zoomed into a logo's white background gets
    /// its colour back within a few frames), down to 0.8x, and on frame 1 down to nothing, but never
    /// below a mean chroma of `ChromaGain.unseen`.
    func testTheGainsBounds() {
        // One pixel whose chroma is 10 times the gain, the transfer and limit left out.
        func gain(reference: Double, firstFrame: Bool = false) -> Float {
            ChromaGain(count: 1, reference: reference, strength: 1,
                       bounds: firstFrame ? ChromaGain.firstFrameBounds : ChromaGain.bounds) { _, g in 10 * g }.gain
        }
        XCTAssertEqual(gain(reference: 13.5), 1.35, accuracy: 0.01)
        XCTAssertEqual(gain(reference: 30), 1.4, accuracy: 1e-6)
        XCTAssertEqual(gain(reference: 5), 0.8, accuracy: 1e-6)
        XCTAssertEqual(gain(reference: 5, firstFrame: true), 0.5, accuracy: 0.01)
        XCTAssertEqual(gain(reference: 0, firstFrame: true), Float(ChromaGain.unseen / 10), accuracy: 0.01)
    }

    /// A palette's mean chroma survives a checkpoint, and one out of range is refused.
    func testTheMeanChromaIsCheckedWhenDecoded() throws {
        let palette = ColourPalette(of: PaletteTests.logo())
        let coded = try JSONEncoder().encode(palette)
        XCTAssertEqual(try JSONDecoder().decode(ColourPalette.self, from: coded), palette)
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: coded) as? [String: Any])
        object["meanChroma"] = 1e6
        let bad = try JSONSerialization.data(withJSONObject: object)
        XCTAssertThrowsError(try JSONDecoder().decode(ColourPalette.self, from: bad)) { error in
            XCTAssert("\(error)".contains("mean chroma"), "\(error)")
        }
        object["meanChroma"] = nil
        let old = try JSONDecoder().decode(ColourPalette.self, from: try JSONSerialization.data(withJSONObject: object))
        XCTAssertNil(old.meanChroma)
    }
}
