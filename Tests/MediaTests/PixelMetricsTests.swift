import FrameLoop
import XCTest
import TestSupport
import Imaging
import Schedule

/// The image comparisons of TestSupport fail the calling test on a size mismatch (issue 10: "a test
/// helper that compares images must fail on a size mismatch"); before, psnr trapped (ending the whole
/// run) and a picture of the same byte count but another shape compared as if it matched.
final class PixelMetricsTests: XCTestCase {
    /// Failures recorded while a comparison is expected to fail, instead of failing this test.
    private var captured: [String]?

    override func recordFailure(withDescription description: String, inFile filePath: String, atLine lineNumber: Int, expected: Bool) {
        if captured != nil { captured!.append(description); return }
        super.recordFailure(withDescription: description, inFile: filePath, atLine: lineNumber, expected: expected)
    }

    /// The failures `body` records, which do not fail this test.
    func failures(_ body: () -> Void) -> [String] {
        captured = []
        body()
        defer { captured = nil }
        return captured ?? []
    }

    func testImageComparisonsFailOnASizeMismatch() {
        let a = [UInt8](repeating: 10, count: 96 * 64 * 3), shorter = [UInt8](repeating: 10, count: 64 * 48 * 3)
        var values: [Double] = []
        let recorded = failures {
            values.append(psnr(a, shorter))
            values.append(lumaPSNR(a, shorter))
            values.append(meanAbsDiff(a, shorter))
            values.append(lumaPSNR([1, 2, 3, 4], [1, 2, 3, 4]))   // not whole RGB pixels
            // Same byte count, another shape.
            values.append(psnr(FloatImage(width: 96, height: 64, fill: 10), FloatImage(width: 64, height: 96, fill: 10)))
        }
        XCTAssertEqual(recorded.count, 5, "\(recorded)")
        XCTAssertTrue(recorded.allSatisfy { $0.contains("differ in size") }, "\(recorded)")
        XCTAssertTrue(values.allSatisfy(\.isNaN), "no threshold accepts a mismatch: \(values)")
        // Equal sizes compare, and fail nothing.
        XCTAssertEqual(failures { values = [psnr(a, a), meanAbsDiff(a, a)] }, [])
        XCTAssertEqual(values, [.infinity, 0])
    }
}
