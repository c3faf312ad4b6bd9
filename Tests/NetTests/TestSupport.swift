import Foundation
import XCTest
import Net

/// SplitMix64: reproducible pseudo-random numbers for test tensors.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in -1...1.
    mutating func uniform() -> Float { Float(Double(next() >> 11) / Double(1 << 53)) * 2 - 1 }
    mutating func tensor(_ shape: [Int], scale: Float = 1) -> Tensor {
        Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in uniform() * scale })
    }
}

/// Where the tests find their inputs: the same model directory as ModelStore, and the photos.
enum TestFiles {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The store, after checking that `name` was fetched (a clear failure otherwise).
    static func store(with name: String, file: StaticString = #filePath, line: UInt = #line) throws -> ModelStore {
        let store = ModelStore(environment: environment)
        guard store.isFetched(name) else {
            XCTFail("\(name) weights are not in \(store.directory.path): run `make models` (or set DREAMVIDEO_MODELS)", file: file, line: line)
            throw XCTSkip("no weights")
        }
        return store
    }

    static var testData: URL {
        if let dir = environment["DREAMVIDEO_TESTDATA"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/dreamvideo/testdata")
    }

    /// A test photo resized to width x height by ffmpeg, as an RGB tensor [3, H, W] in 0...255.
    /// ffmpeg keeps these tests independent of the Encode module's decoder.
    static func photo(_ name: String, width: Int, height: Int, file: StaticString = #filePath, line: UInt = #line) throws -> Tensor {
        let url = testData.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            XCTFail("missing test photo \(url.path): set DREAMVIDEO_TESTDATA to the folder holding Debian darknet's dog.jpg, eagle.jpg...", file: file, line: line)
            throw XCTSkip("no test data")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-loglevel", "error", "-i", url.path, "-f", "rawvideo", "-pix_fmt", "rgb24",
                             "-s", "\(width)x\(height)", "-"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let bytes = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, bytes.count == 3 * width * height else {
            XCTFail("ffmpeg could not decode \(url.path) (is ffmpeg installed? it is a test dependency)", file: file, line: line)
            throw XCTSkip("no ffmpeg")
        }
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
