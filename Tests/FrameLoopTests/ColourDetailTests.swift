import XCTest
import Net
import FrameLoop
import TestSupport
import Imaging

/// What colour coherence and sharpening keep of a long zoom's detail (issue 13's open goals): the
/// lightness pulled band by band (`LightnessPull`) and the unsharp mask weighted by what the resample
/// softened (`ResampleSharpen`).
final class ColourDetailTests: XCTestCase {
    /// Mean gradient magnitude of L* (forward differences), as the metrics' sharpness is taken.
    func sharpness(_ img: FloatImage) -> Double {
        let lab = img.labPlanes(), w = img.width, h = img.height
        var sum = 0.0
        for y in 0..<(h - 1) {
            for x in 0..<(w - 1) {
                let i = y * w + x
                let gx = Double(lab[i + 1] - lab[i]), gy = Double(lab[i + w] - lab[i])
                sum += (gx * gx + gy * gy).squareRoot()
            }
        }
        return sum / Double((w - 1) * (h - 1))
    }

    /// A page of 1-pixel black lines: its whole lightness spread is fine detail.
    static func thinLines(width: Int, height: Int) -> FloatImage {
        var img = FloatImage(width: width, height: height, fill: 255)
        let n = width * height
        for y in 0..<height {
            for x in 0..<width where x % 9 == 0 || y % 11 == 0 {
                for c in 0..<3 { img.pixels[c * n + y * width + x] = 0 }
            }
        }
        return img
    }

    /// Broad dark strokes with faint fine texture on them: a dream's frame over that page, whose
    /// spread as a whole is already larger than the page's. The pull of the whole spread shrank it and
    /// the fine texture with it; by bands the strokes shrink and the texture grows toward the page's.
    func testFineDetailSurvivesTheLightnessPull() {
        let w = 96, h = 64, n = w * h
        let page = Self.thinLines(width: w, height: h)
        var rng = SplitMix(seed: 3)
        var frame = FloatImage(width: w, height: h, fill: 0)
        for y in 0..<h {
            for x in 0..<w {
                let stroke: Float = (x / 16) % 2 == 0 ? 60 : 235
                let v = stroke + Float(Int(rng.next() % 13)) - 6
                for c in 0..<3 { frame.pixels[c * n + y * w + x] = v }
            }
        }
        let palette = ColourPalette(of: page)
        XCTAssertNotNil(palette.lightnessBands)
        var pulled = frame
        for _ in 0..<5 { pulled = pulled.colourPulled(toward: palette, strength: 0.3) }
        var whole = palette
        whole.lightnessBands = nil   // as before: the spread as a whole
        var old = frame
        for _ in 0..<5 { old = old.colourPulled(toward: whole, strength: 0.3) }
        let before = sharpness(frame), after = sharpness(pulled), wholeAfter = sharpness(old)
        print("sharpness of L*: frame \(before), pulled by bands \(after), pulled as a whole \(wholeAfter)")
        XCTAssertGreaterThan(after, before)
        XCTAssertLessThan(wholeAfter, before)
        // The mean lightness still moves toward the page's.
        XCTAssertGreaterThan(ColourStats(of: pulled).meanL, ColourStats(of: frame).meanL + 3)
    }

    /// A zoom's resample does not soften the row and the column through its centre (they read
    /// exactly on source pixels): the weighted mask leaves them as they are and gives the other
    /// lines what they lost, the same amount on average as the uniform mask, which sharpened the
    /// centre lines again every frame (the cross).
    func testSharpeningFollowsWhatTheResampleSoftened() {
        let w = 101, h = 81, plane = w * h
        var rng = SplitMix(seed: 11)
        var noise = FloatImage(width: w, height: h, fill: 0)
        for i in 0..<(3 * plane) { noise.pixels[i] = Float(60 + Int(rng.next() % 136)) }
        // Zoom 1.05 about the centre: output pixel centre p reads the source at c + (p - c) / 1.05.
        let z = 1.05, cx = Double(w) / 2, cy = Double(h) / 2
        let sourceFromOutput = AffineTransform(a: 1 / z, b: 0, c: 0, d: 1 / z, tx: cx - cx / z, ty: cy - cy / z)
        let moved = noise.warped(sourceFromOutput, kernel: .lanczos3)
        let weighted = moved.sharpened(amount: 0.5, resampledBy: sourceFromOutput, kernel: .lanczos3)
        let uniform = moved.sharpened(amount: 0.5)
        // Mean change of a row (all columns, one channel), away from the centre column's influence.
        func rowChange(_ a: FloatImage, _ y: Int) -> Double {
            var s = 0.0
            for x in 0..<w { s += Double(abs(a.pixels[y * w + x] - moved.pixels[y * w + x])) }
            return s / Double(w)
        }
        func change(_ a: FloatImage) -> Double { (0..<h).map { rowChange(a, $0) }.reduce(0, +) / Double(h) }
        let centre = h / 2   // row 40 reads source row 40 exactly
        let weightedCentre = rowChange(weighted, centre), uniformCentre = rowChange(uniform, centre)
        print("mean change: centre row weighted \(weightedCentre) uniform \(uniformCentre); all rows weighted \(change(weighted)) uniform \(change(uniform))")
        // The uniform mask changes the centre row more than the average row (the cross); the weighted
        // one gives it only the columns' share, less than the average row (measured: 1.16 and 0.75).
        XCTAssertGreaterThan(uniformCentre / change(uniform), 1.05)
        XCTAssertLessThan(weightedCentre / change(weighted), 0.85)
        // The same amount overall (measured: within 4%).
        XCTAssertEqual(change(weighted), change(uniform), accuracy: 0.15 * change(uniform))
    }
}
