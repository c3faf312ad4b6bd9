import Schedule
import Imaging
import FrameLoop
import TestSupport
import XCTest

/// `warpedShrinking`: a map that shrinks the picture many times over gives what `warped` gives (resized
/// first, then warped), and a picture shrunk below a pixel gives nil instead of indices past Int.
final class ShrinkingWarpTests: XCTestCase {
    func photo() throws -> FloatImage {
        FloatImage(rgb8: try TestData.photoRGB("dog.jpg", width: 160, height: 120), width: 160, height: 120)
    }

    /// The start image shrunk 6 times about the centre (what a mask keeps after frames of zoom out).
    func testAStrongShrinkMatchesThePlainWarp() throws {
        let image = try photo()
        let shrink = Camera(zoom: 1 / 6.0).outputFromSource(width: 160, height: 120).inverse
        let plain = image.warped(shrink, kernel: .lanczos3)
        guard let fast = image.warpedShrinking(shrink, kernel: .lanczos3) else { return XCTFail("no picture for a 6x shrink") }
        XCTAssertEqual(fast.width, 160)
        XCTAssertEqual(fast.height, 120)
        // The middle, where the shrunk picture is (80x60 around the centre holds the 27x20 picture and its mirrors).
        func middle(_ f: FloatImage) -> FloatImage {
            var out = FloatImage(width: 26, height: 18)
            for c in 0..<3 { for y in 0..<18 { for x in 0..<26 {
                out.pixels[(c * 18 + y) * 26 + x] = f.pixels[(c * 120 + 51 + y) * 160 + 67 + x]
            } } }
            return out
        }
        let db = psnr(middle(fast), middle(plain))
        print("6x shrink: resized-then-warped vs widened-kernel warp, PSNR \(db) dB")
        XCTAssertGreaterThan(db, 30)
    }

    func testAPictureShrunkBelowAPixelIsNil() throws {
        let image = try photo()
        let far = Camera(zoom: 1e-3).outputFromSource(width: 160, height: 120).inverse
        XCTAssertNil(image.warpedShrinking(far, kernel: .lanczos3))
        let beyond = Camera(zoom: 1e-150).outputFromSource(width: 160, height: 120).inverse
        XCTAssertNil(image.warpedShrinking(beyond, kernel: .lanczos3))
        // A mild shrink is the plain warp itself.
        let mild = Camera(zoom: 0.9).outputFromSource(width: 160, height: 120).inverse
        XCTAssertEqual(image.warpedShrinking(mild, kernel: .lanczos3), image.warped(mild, kernel: .lanczos3))
    }
}
