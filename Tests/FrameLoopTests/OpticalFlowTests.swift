import Foundation
import FrameLoop
import XCTest
import Imaging
import Schedule

/// The optical flow that carries a video's dream from frame to frame, on pictures whose motion is known.
final class OpticalFlowTests: XCTestCase {
    /// Texture at several scales, defined everywhere, so a shifted copy is exact (no resampling).
    func texture(width: Int, height: Int, shiftX: Double = 0, shiftY: Double = 0) -> FloatImage {
        var img = FloatImage(width: width, height: height)
        let n = width * height
        for y in 0..<height {
            for x in 0..<width {
                let u = Double(x) - shiftX, v = Double(y) - shiftY
                let g = 128 + 40 * sin(u * 0.21 + v * 0.05) + 30 * cos(v * 0.17 - u * 0.07)
                    + 25 * sin(u * 0.045 * v * 0.01 + u * 0.5) * cos(v * 0.33) + 20 * sin(0.9 * u) * sin(0.7 * v)
                img.pixels[y * width + x] = Float(g)
                img.pixels[n + y * width + x] = Float(255 - g)
                img.pixels[2 * n + y * width + x] = Float(0.5 * g + 40)
            }
        }
        return img
    }

    func interiorMask(width: Int, height: Int, margin: Int) -> [Float] {
        var m = [Float](repeating: 0, count: width * height)
        for y in margin..<(height - margin) { for x in margin..<(width - margin) { m[y * width + x] = 1 } }
        return m
    }

    func testRecoversAKnownShiftLargerThanItsWindow() throws {
        let (w, h) = (160, 120)
        let a = texture(width: w, height: h)
        // b holds a's content 7.5 pixels right and 3.25 up: the flow from a to b is (7.5, -3.25).
        let b = texture(width: w, height: h, shiftX: 7.5, shiftY: -3.25)
        let flow = try OpticalFlow().flow(from: a, to: b)
        let mask = interiorMask(width: w, height: h, margin: 16)
        let m = flow.mean(mask: mask)
        XCTAssertEqual(m.dx, 7.5, accuracy: 0.1)
        XCTAssertEqual(m.dy, -3.25, accuracy: 0.1)
        // Not only on average: nearly every interior pixel is within half a pixel.
        var good = 0, total = 0
        for i in mask.indices where mask[i] > 0 {
            total += 1
            if abs(flow.dx[i] - 7.5) < 0.5 && abs(flow.dy[i] + 3.25) < 0.5 { good += 1 }
        }
        XCTAssertGreaterThan(Double(good) / Double(total), 0.95)
        // And the opposite direction.
        let back = try OpticalFlow().flow(from: b, to: a).mean(mask: mask)
        XCTAssertEqual(back.dx, -7.5, accuracy: 0.1)
        XCTAssertEqual(back.dy, 3.25, accuracy: 0.1)
    }

    func testNoMotionGivesNoFlow() throws {
        let a = texture(width: 96, height: 64)
        let m = try OpticalFlow().flow(from: a, to: a)
        XCTAssertLessThan(m.dx.map(abs).max() ?? 1, 1e-3)
        XCTAssertLessThan(m.dy.map(abs).max() ?? 1, 1e-3)
    }

    func testWarpingByTheFlowRebuildsTheOtherPicture() throws {
        let (w, h) = (128, 96)
        let previous = texture(width: w, height: h)
        let current = texture(width: w, height: h, shiftX: -4, shiftY: 2)
        // For each pixel of current, where it is in previous; previous moved by that is current.
        let backward = try OpticalFlow().flow(from: current, to: previous)
        let rebuilt = try previous.warped(by: backward)
        var err = 0.0, n = 0.0
        for y in 12..<(h - 12) { for x in 12..<(w - 12) {
            err += Double(abs(rebuilt.pixels[y * w + x] - current.pixels[y * w + x])); n += 1
        } }
        XCTAssertLessThan(err / n, 1.5, "mean error in grey levels after following the flow")
    }

    /// A square moving over a still background: where the background is uncovered the round trip
    /// fails and the carried dream must not be trusted; on the still background far away it is.
    func testForwardBackwardCheckFindsTheOcclusion() throws {
        let (w, h) = (128, 96)
        let background = texture(width: w, height: h)
        func scene(squareX: Int) -> FloatImage {
            var img = background
            for y in 30..<62 { for x in squareX..<(squareX + 32) { for c in 0..<3 {
                img.pixels[c * w * h + y * w + x] = Float(((x - squareX) / 4 + (y / 4)) % 2 == 0 ? 20 : 235)
            } } }
            return img
        }
        let previous = scene(squareX: 40), current = scene(squareX: 52)
        let of = OpticalFlow()
        let backward = try of.flow(from: current, to: previous), forward = try of.flow(from: previous, to: current)
        let trust = try OpticalFlow.reliability(backward: backward, forward: forward)
        func meanTrust(_ xs: Range<Int>, _ ys: Range<Int>) -> Float {
            var s: Float = 0
            for y in ys { for x in xs { s += trust[y * w + x] } }
            return s / Float(xs.count * ys.count)
        }
        // Still background far from the square.
        XCTAssertGreaterThan(meanTrust(4..<30, 4..<20), 0.9)
        // The strip the square uncovered (x 40..<52 was square, is background now).
        XCTAssertLessThan(meanTrust(42..<50, 36..<56), 0.5)
    }

    func testNoCarryStartsFromTheSourceAndAPlainBlendIgnoresMotion() throws {
        let source = texture(width: 64, height: 48), previous = texture(width: 64, height: 48, shiftX: 2)
        let dreamPrev = FloatImage(width: 64, height: 48, fill: 100)
        let (s0, _) = try VideoDream(carry: 0).start(for: source, previousSource: previous, previousDream: dreamPrev)
        XCTAssertEqual(s0, source)
        let (s1, _) = try VideoDream(carry: 0.5, followsMotion: false).start(for: source, previousSource: previous, previousDream: dreamPrev)
        XCTAssertEqual(s1, source.blended(toward: dreamPrev, by: 0.5))
        // With motion followed, a still previous dream (all 100) stays 100 wherever it is carried.
        let (s2, share) = try VideoDream(carry: 1).start(for: source, previousSource: previous, previousDream: dreamPrev)
        XCTAssertGreaterThan(share, 0.8)
        let centre = 24 * 64 + 32
        XCTAssertEqual(s2.pixels[centre], 100, accuracy: 1)
    }

    /// Issue 10, item 9: wherever two frames meet (flow, warp, the flow check, metrics, dream flicker,
    /// the video dream's carry), two sizes are an error before any pixel is read, and nothing is counted.
    /// On a113bde these read past the smaller picture (metrics on a folder of mixed sizes: SIGSEGV).
    func testItem9FramesOfTwoSizesAreAnErrorWhereverTwoFramesMeet() throws {
        let small = texture(width: 64, height: 48), large = texture(width: 160, height: 120)
        let mismatch = FrameSizeMismatch(expected: .init(width: 64, height: 48), found: .init(width: 160, height: 120))
        XCTAssertThrowsError(try OpticalFlow().flow(from: small, to: large)) { XCTAssertEqual($0 as? FrameSizeMismatch, mismatch) }
        let smallFlow = try OpticalFlow().flow(from: small, to: small)
        XCTAssertThrowsError(try large.warped(by: smallFlow))
        let largeFlow = try OpticalFlow().flow(from: large, to: large)
        XCTAssertThrowsError(try OpticalFlow.reliability(backward: smallFlow, forward: largeFlow))
        XCTAssertThrowsError(try VideoMetrics.change(from: small, to: large, zoom: 1, rotation: 0))
        XCTAssertThrowsError(try VideoMetrics.estimateZoom(from: large, to: small, rotation: 0))

        // Metrics: frame 2 is named, and the refused frame is not counted.
        var metrics = VideoMetrics()
        try metrics.add(small)
        XCTAssertThrowsError(try metrics.add(large)) {
            XCTAssertEqual("\($0)", "frame 2 is 160x120 but the frame before it is 64x48")
        }
        XCTAssertEqual(metrics.frames.count, 1)
        try metrics.add(small)
        XCTAssertEqual(metrics.frames.count, 2)

        var flicker = DreamFlicker()
        XCTAssertThrowsError(try flicker.add(dreamed: small, source: large))
        try flicker.add(dreamed: small, source: small)
        XCTAssertThrowsError(try flicker.add(dreamed: large, source: large))
        XCTAssertEqual(flicker.strengths.count, 1)

        XCTAssertThrowsError(try VideoDream(carry: 0.5).start(for: large, previousSource: small, previousDream: small))
        XCTAssertThrowsError(try VideoDream(carry: 0.5).start(for: small, previousSource: small, previousDream: large))
    }
}
