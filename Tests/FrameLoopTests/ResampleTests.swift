import XCTest
import Foundation
import FrameLoop
import Net
import Imaging
import Schedule

final class ResampleTests: XCTestCase {
    func testResizeToSameSizeIsIdentity() {
        let img = TestImages.smooth(width: 37, height: 23)
        XCTAssertLessThanOrEqual(TestImages.maxAbsDifference(img.resized(width: 37, height: 23), img), 1e-3)
    }

    func testWarpIdentityReturnsTheImage() {
        let img = TestImages.smooth(width: 64, height: 40)
        for kernel in ResamplingKernel.allCases {
            let cam = Camera(zoom: 1, rotation: 0, kernel: kernel)
            // Bypass the shortcut in Camera.next: the warp itself must be exact at integer positions.
            let out = img.warped(cam.outputFromSource(width: 64, height: 40).inverse, kernel: kernel)
            XCTAssertLessThanOrEqual(TestImages.maxAbsDifference(out, img), 1e-3, "\(kernel)")
        }
    }

    func testWholePixelTranslationIsExactInside() {
        let img = TestImages.smooth(width: 50, height: 30)
        let out = img.warped(.translation(x: -3, y: -2))   // output p reads source p - (3, 2)
        for y in 2..<30 { for x in 3..<50 {
            XCTAssertEqual(out.pixels[y * 50 + x], img.pixels[(y - 2) * 50 + (x - 3)], accuracy: 1e-3)
        } }
    }

    func testConstantImageStaysConstant() {
        let flat = FloatImage(width: 80, height: 45, fill: 200)
        let moves = [Camera(zoom: 1.05), Camera(zoom: 0.7, rotation: 10), Camera(zoom: 1, rotation: 30, translationX: 13, translationY: -7),
                     Camera(zoom: 0.4, kernel: .bicubic)]
        for cam in moves {
            let out = cam.next(flat)
            XCTAssertLessThanOrEqual(TestImages.maxAbsDifference(out, flat), 1e-3, "\(cam)")
        }
        for (w, h) in [(31, 17), (160, 90), (80, 45), (13, 200)] {
            XCTAssertLessThanOrEqual(TestImages.maxAbsDifference(flat.resized(width: w, height: h),
                                                                 FloatImage(width: w, height: h, fill: 200)), 1e-3)
        }
    }

    func testZoomInMovesFeaturesAwayFromTheCentre() {
        // A square right of and below the centre must move further right and down when zooming in,
        // and come closer when zooming out.
        let img = TestImages.square(width: 100, height: 80, x: 70, y: 55, size: 6)
        let before = TestImages.centroid(img)
        let zoomIn = TestImages.centroid(Camera(zoom: 1.2).next(img))
        let zoomOut = TestImages.centroid(Camera(zoom: 0.8).next(img))
        // Expected: c + z (q - c) with c = (50, 40).
        XCTAssertEqual(zoomIn.x, 50 + 1.2 * (before.x - 50), accuracy: 0.3)
        XCTAssertEqual(zoomIn.y, 40 + 1.2 * (before.y - 40), accuracy: 0.3)
        XCTAssertEqual(zoomOut.x, 50 + 0.8 * (before.x - 50), accuracy: 0.3)
        // Translation moves content right/down for positive values.
        let moved = TestImages.centroid(Camera(zoom: 1, translationX: 5, translationY: -4).next(img))
        XCTAssertEqual(moved.x, before.x + 5, accuracy: 0.05)
        XCTAssertEqual(moved.y, before.y - 4, accuracy: 0.05)
    }

    func testRotationTurnsCounterClockwise() {
        // A square right of centre, rotated 90 degrees counter-clockwise, ends above the centre (y down).
        let img = TestImages.square(width: 101, height: 101, x: 77, y: 48, size: 5)
        let out = TestImages.centroid(Camera(zoom: 1, rotation: 90).next(img))
        XCTAssertEqual(out.x, 50.5, accuracy: 0.3)
        XCTAssertEqual(out.y, 50.5 - 29, accuracy: 0.3)
    }

    func testBordersReflectAfterZoomOutAndRotation() {
        // Dark stripe x < 10, bright elsewhere. Zoomed out and rotated, every output pixel must still hold
        // picture values (no black; Lanczos ringing at the hard edge overshoots by under 10%).
        var img = FloatImage(width: 60, height: 40, fill: 0)
        for c in 0..<3 { for y in 0..<40 { for x in 0..<60 {
            img.pixels[c * 2400 + y * 60 + x] = x < 10 ? 40 : 220
        } } }
        let out = Camera(zoom: 0.5, rotation: 15).next(img)
        XCTAssertGreaterThan(out.pixels.min()!, 20)
        XCTAssertLessThan(out.pixels.max()!, 240)
        // Zoom 0.5 about x = 30: output x reads source 2x + 1 - 30. The picture spans output 15..<45;
        // left of it the source is mirrored about x = 0, so the dark stripe reappears at source -10..<0
        // (output 9.5..<19.5), and further out the bright part again.
        let zoomOut = Camera(zoom: 0.5).next(img)
        XCTAssertEqual(zoomOut.pixels[20 * 60 + 14], 40, accuracy: 0.5)   // source -1: mirrored dark stripe
        XCTAssertEqual(zoomOut.pixels[20 * 60 + 5], 220, accuracy: 0.5)   // source -19: mirrored bright part
        XCTAssertEqual(zoomOut.pixels[20 * 60 + 30], 220, accuracy: 0.5)  // source 31: inside
        XCTAssertEqual(zoomOut.pixels[20 * 60 + 16], 40, accuracy: 0.5)   // source 3: inside, dark
    }

    func testDownscaledCheckerboardDoesNotAlias() {
        // A one-pixel checkerboard has all its energy at Nyquist; a proper low-pass gives flat grey at
        // any reduction, where point sampling would give black, white or a coarse false pattern.
        let board = TestImages.checkerboard(width: 210, height: 150)
        for (w, h) in [(61, 43), (100, 71), (150, 107)] {
            let small = board.resized(width: w, height: h)
            let inner = (3..<(h - 3)).flatMap { y in (3..<(w - 3)).map { small.pixels[y * w + $0] } }
            let mean = inner.reduce(0, +) / Float(inner.count)
            let spread = inner.map { abs($0 - mean) }.max()!
            XCTAssertEqual(mean, 127.5, accuracy: 2, "\(w)x\(h)")
            XCTAssertLessThan(spread, 12, "\(w)x\(h)")
        }
        // Same for the camera's zoom-out.
        let zoomed = Camera(zoom: 0.45).next(board)
        let spread = zoomed.pixels[0..<(210 * 150)].map { abs($0 - 127.5) }.max()!
        XCTAssertLessThan(spread, 25)
    }

    func testDownThenUpKeepsSmoothContent() {
        let img = TestImages.smooth(width: 120, height: 90)
        let back = img.resized(width: 86, height: 64).resized(width: 120, height: 90)
        XCTAssertLessThan(TestImages.maxAbsDifference(back, img), 2)
    }

    func testCoverCropKeepsAspectAndCentre() {
        // 200x100 into 100x100: scaled by 1, centre 100 columns kept.
        let img = TestImages.square(width: 200, height: 100, x: 95, y: 45, size: 10)
        let out = img.coverCropped(width: 100, height: 100)
        XCTAssertEqual(out.width, 100); XCTAssertEqual(out.height, 100)
        let c = TestImages.centroid(out)
        XCTAssertEqual(c.x, 50, accuracy: 0.2); XCTAssertEqual(c.y, 50, accuracy: 0.2)
        let up = TestImages.smooth(width: 40, height: 30).coverCropped(width: 64, height: 36)
        XCTAssertEqual(up.width, 64); XCTAssertEqual(up.height, 36)
        XCTAssertGreaterThanOrEqual(up.pixels.min()!, 0); XCTAssertLessThanOrEqual(up.pixels.max()!, 255)
    }

    /// Issue 10 item 7: a 16384x1 image covering 1920x1080 made coverCropped scale the whole image
    /// first, a 17.7 million x 1080 intermediate (229 GB), and abort. Now only the kept window is
    /// computed: the same pixels as scaling everything and cropping (checked where that is affordable),
    /// and the thin case grows the process's peak memory by little more than the 25 MB output.
    func testThinImageCoverCropAllocatesLittle() {
        // Same pixels as the old way, on thin, tall and ordinary images (up and down).
        for (w, h, ow, oh) in [(512, 2, 64, 36), (3, 300, 40, 30), (200, 100, 100, 100), (40, 30, 64, 36), (300, 200, 77, 41)] {
            let img = TestImages.smooth(width: w, height: h)
            let scale = max(Double(ow) / Double(w), Double(oh) / Double(h))
            let sw = max(ow, Int((Double(w) * scale).rounded())), sh = max(oh, Int((Double(h) * scale).rounded()))
            var whole = img.resized(width: sw, height: sh).cropped(x: (sw - ow) / 2, y: (sh - oh) / 2, width: ow, height: oh)
            whole.clamp()
            let window = img.coverCropped(width: ow, height: oh)
            XCTAssertEqual(window.width, ow); XCTAssertEqual(window.height, oh)
            XCTAssertLessThanOrEqual(TestImages.maxAbsDifference(window, whole), 1e-3, "\(w)x\(h) -> \(ow)x\(oh)")
        }
        // The case from the issue.
        var thin = FloatImage(width: 16384, height: 1)
        for x in 0..<16384 { for c in 0..<3 { thin.pixels[c * 16384 + x] = Float((x + 50 * c) % 256) } }
        let before = ResidentMemory.peakBytes
        let out = thin.coverCropped(width: 1920, height: 1080)
        let grown = ResidentMemory.peakBytes - before
        XCTAssertEqual(out.width, 1920); XCTAssertEqual(out.height, 1080)
        // The output is 1920 x 1080 x 3 floats (25 MB); the intermediate is 1920 x 1 x 3 floats.
        XCTAssertLessThan(grown, 200_000_000, "peak memory grew by \(grown) bytes")
        // The centre 1.8 source pixels, stretched: every row the same (up to the Float rounding of the
        // normalised vertical weights), values inside the source's range.
        let first = out.pixels[0..<1920], last = out.pixels[1920 * 1079..<1920 * 1080]
        XCTAssertLessThan(zip(first, last).map { abs($0 - $1) }.max()!, 1e-3)
        XCTAssertGreaterThanOrEqual(out.pixels.min()!, 0); XCTAssertLessThanOrEqual(out.pixels.max()!, 255)
    }

    func testRollWrapsAndRollsBack() {
        let img = TestImages.smooth(width: 17, height: 11)
        let r = img.rolled(dx: 5, dy: -3)
        XCTAssertEqual(r.pixels[((0 - 3 + 11) % 11) * 17 + 5], img.pixels[0])
        XCTAssertEqual(r.rolled(dx: -5, dy: 3), img)
        XCTAssertEqual(img.rolled(dx: 17 * 3, dy: -11), img)
    }

    /// Not a timed test: prints the per-frame warp cost for the report.
    func testWarpCostAt640x360() {
        let img = TestImages.smooth(width: 640, height: 360)
        let cam = Camera(zoom: 1.05, rotation: 0.5, translationX: 1)
        var out = img
        let clock = ContinuousClock()
        let t = clock.measure { for _ in 0..<5 { out = cam.next(out) } }
        print("warp 640x360 lanczos3: \(t / 5) per frame")
        let tb = clock.measure { for _ in 0..<5 { out = Camera(zoom: 1.05, kernel: .bicubic).next(out) } }
        print("warp 640x360 bicubic: \(tb / 5) per frame")
        let tr = clock.measure { for _ in 0..<5 { out = img.resized(width: 457, height: 257) } }
        print("resize 640x360 -> 457x257: \(tr / 5)")
        XCTAssertEqual(out.width, 457)
    }
}
