import Foundation
import XCTest
import Net
import TestSupport

extension SplitMix {
    mutating func tensor(_ shape: [Int], scale: Float = 1) -> Tensor {
        Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in uniform() * scale })
    }
}

extension TestData {
    /// A test photo resized to width x height by ffmpeg, as an RGB tensor [3, H, W] in 0...255.
    static func photo(_ name: String, width: Int, height: Int, file: StaticString = #filePath, line: UInt = #line) throws -> Tensor {
        let bytes = try photoRGB(name, width: width, height: height, file: file, line: line)
        let plane = width * height
        var t = Tensor(zeros: [3, height, width])
        for (i, b) in bytes.enumerated() { t.data[(i % 3) * plane + i / 3] = Float(b) }
        return t
    }
}

/// Central differences of the objective's value on a random subset of pixels (all of them would
/// take minutes) against the network's image gradient: same direction and same length.
func assertGradientMatchesFiniteDifferences(_ net: Network, _ objective: Objective, at image: Tensor,
                                            samples: Int, eps: Float, rng: inout SplitMix,
                                            file: StaticString = #filePath, line: UInt = #line) throws {
    let (value, grad) = try net.gradient(of: objective, at: image)
    XCTAssertTrue(value.isFinite && value > 0, "objective value \(value)", file: file, line: line)
    var numeric: [Float] = [], analytic: [Float] = []
    for _ in 0..<samples {
        let i = Int(rng.next() % UInt64(image.count))
        var plus = image, minus = image
        plus.data[i] += eps
        minus.data[i] -= eps
        let fp = try net.gradient(of: objective, at: plus).value
        let fm = try net.gradient(of: objective, at: minus).value
        numeric.append((fp - fm) / (2 * eps))
        analytic.append(grad.data[i])
    }
    let dot = zip(numeric, analytic).map { Double($0 * $1) }.reduce(0, +)
    let nn = numeric.map { Double($0 * $0) }.reduce(0, +).squareRoot()
    let na = analytic.map { Double($0 * $0) }.reduce(0, +).squareRoot()
    XCTAssertGreaterThan(na, 0, "the gradient is zero: the check would prove nothing", file: file, line: line)
    XCTAssertGreaterThan(dot / (nn * na), 0.999, "cosine of numeric and analytic gradients", file: file, line: line)
    XCTAssertEqual(nn / na, 1, accuracy: 0.01, "norm ratio of numeric and analytic gradients", file: file, line: line)
}
