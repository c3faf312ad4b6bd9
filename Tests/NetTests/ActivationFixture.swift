import XCTest
import Net
import TestSupport

/// PyTorch's activations and image gradient for a network on a deterministic pattern, as written
/// by tools/make_fixtures.py to Fixtures/<model>_activations.json, and the checks against them.
struct ActivationFixture: Decodable {
    struct Layer: Decodable {
        var shape: [Int]
        var channel_sums: [Double]
        var samples: [[Double]]
    }
    struct Gradient: Decodable {
        var layer: String
        var value: Double
        var row_sums: [[Double]]
        var row_abs_sums: [[Double]]
        var samples: [[Double]]
    }
    var size: Int
    var layers: [String: Layer]
    var gradient: Gradient

    static func load(_ model: String) throws -> ActivationFixture {
        guard let url = Bundle.module.url(forResource: "\(model)_activations", withExtension: "json", subdirectory: "Fixtures") else {
            XCTFail("missing Fixtures/\(model)_activations.json: run tools/make_fixtures.py \(model)")
            throw Problem("no fixture")
        }
        return try JSONDecoder().decode(ActivationFixture.self, from: Data(contentsOf: url))
    }

    /// The formula of tools/make_fixtures.py.
    var patternImage: Tensor {
        var t = Tensor(zeros: [3, size, size])
        for c in 0..<3 {
            for y in 0..<size {
                for x in 0..<size {
                    let v = 127.5 + 127.5 * sin(0.05 * Double((x + 1) * (c + 1)) + 0.07 * Double(y) + 0.9 * Double(c))
                    t.data[(c * size + y) * size + x] = Float(v)
                }
            }
        }
        return t
    }

    /// Every layer's channel sums within 1e-3 (relative, with a floor of 1e-2 of the largest sum for
    /// channels that are almost dead) and its samples within 1e-3 (floor 1e-2 of the largest sample).
    func assertActivationsMatch(_ net: Network, file: StaticString = #filePath, line: UInt = #line) throws {
        let names = layers.keys.sorted()
        XCTAssertFalse(names.isEmpty, file: file, line: line)
        let acts = try net.activations(of: patternImage, layers: names)
        for (name, a) in zip(names, acts) {
            let expected = layers[name]!
            XCTAssertEqual(a.shape, expected.shape, name, file: file, line: line)
            guard a.shape == expected.shape else { continue }
            let plane = a.shape[1] * a.shape[2]
            let largest = expected.channel_sums.map(abs).max() ?? 1
            var bad = 0
            for (c, want) in expected.channel_sums.enumerated() {
                var sum = 0.0
                for i in (c * plane)..<((c + 1) * plane) { sum += Double(a.data[i]) }
                if abs(sum - want) > 1e-3 * max(abs(want), 1e-2 * largest) {
                    bad += 1
                    if bad <= 3 { XCTFail("\(name) channel \(c): sum \(sum), PyTorch \(want)", file: file, line: line) }
                }
            }
            XCTAssertEqual(bad, 0, "\(name): \(bad) channel sums differ from PyTorch", file: file, line: line)
            let peak = expected.samples.map { abs($0[3]) }.max() ?? 1
            for s in expected.samples {
                let (c, y, x, want) = (Int(s[0]), Int(s[1]), Int(s[2]), s[3])
                let got = Double(a.data[(c * a.shape[1] + y) * a.shape[2] + x])
                XCTAssertEqual(got, want, accuracy: 1e-3 * max(abs(want), 1e-2 * peak), "\(name)[\(c), \(y), \(x)]", file: file, line: line)
            }
        }
    }

    /// The image gradient of mean(layer^2), through the input convention and the graph, against
    /// PyTorch's autograd: the value, every row's sum (relative to the row's absolute sum, as the
    /// signed sum may cancel) and the samples.
    func assertGradientMatches(_ net: Network, file: StaticString = #filePath, line: UInt = #line) throws {
        let want = gradient
        let (value, g) = try net.gradient(of: Objective(layer: want.layer), at: patternImage)
        XCTAssertEqual(Double(value), want.value, accuracy: 1e-4 * want.value, file: file, line: line)
        let (H, W) = (size, size)
        var bad = 0
        for c in 0..<3 {
            for y in 0..<H {
                var sum = 0.0
                for x in 0..<W { sum += Double(g.data[(c * H + y) * W + x]) }
                if abs(sum - want.row_sums[c][y]) > 1e-3 * want.row_abs_sums[c][y] {
                    bad += 1
                    if bad <= 3 { XCTFail("gradient row \(c), \(y): sum \(sum), PyTorch \(want.row_sums[c][y])", file: file, line: line) }
                }
            }
        }
        XCTAssertEqual(bad, 0, "\(bad) gradient rows differ from PyTorch", file: file, line: line)
        let typical = want.row_abs_sums.joined().reduce(0, +) / Double(3 * H * W)
        for s in want.samples {
            let (c, y, x, v) = (Int(s[0]), Int(s[1]), Int(s[2]), s[3])
            XCTAssertEqual(Double(g.data[(c * H + y) * W + x]), v, accuracy: 1e-3 * max(abs(v), typical), "gradient[\(c), \(y), \(x)]", file: file, line: line)
        }
    }
}
