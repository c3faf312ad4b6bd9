import XCTest
import Foundation
import Net
import TestSupport

/// Tiling bounds memory for large frames; it must give the gradient the whole image would, with
/// nothing special along the seams.
final class TiledNetworkTests: XCTestCase {
    static let inception = CachedModel(name: InceptionV3.name)

    func testSpansCoverTheAxisWithEqualTilesAndContext() {
        for length in [75, 100, 257, 640, 1371, 1920] {
            for n in 1...4 {
                let margin = 16, alignment = 32
                let spans = TiledNetwork.spans(length: length, count: n, margin: margin, alignment: alignment)
                for s in spans { XCTAssertEqual(s.start % alignment, 0, "tiles start on the network's grid: \(spans)") }
                XCTAssertEqual(spans.count, n)
                XCTAssertEqual(Set(spans.map(\.length)).count, 1, "one tile size: \(spans)")
                XCTAssertEqual(spans.first?.coreStart, 0)
                XCTAssertEqual(spans.last?.coreEnd, length)
                for (a, b) in zip(spans, spans.dropFirst()) { XCTAssertEqual(a.coreEnd, b.coreStart, "cores touch: \(spans)") }
                for s in spans {
                    XCTAssertTrue(s.start >= 0 && s.start + s.length <= length, "inside the image: \(s)")
                    XCTAssertTrue(s.start <= s.coreStart && s.coreEnd <= s.start + s.length, "core inside its tile: \(s)")
                    // Context on every side of a core except at the image's own border.
                    if s.coreStart > 0 { XCTAssertGreaterThanOrEqual(s.coreStart - s.start, margin, "\(s)") }
                    if s.coreEnd < length { XCTAssertGreaterThanOrEqual(s.start + s.length - s.coreEnd, margin, "\(s)") }
                }
            }
        }
    }

    func testGridFitsTheLimit() throws {
        let model = try Self.inception.model()
        let net = TiledNetwork(Network(model: model, engine: ReferenceEngine(graph: model.graph)), maxTilePixels: 1280 * 720, margin: 32)
        let (x, y) = net.grid(width: 1920, height: 1080)
        // Three full-height strips: fewer pixels in all than 2x2 tiles (each of which pays margins twice).
        XCTAssertEqual(x.count, 3); XCTAssertEqual(y.count, 1)
        XCTAssertLessThanOrEqual(x[0].length * y[0].length, 1280 * 720)
        let x2 = TiledNetwork.spans(length: 1920, count: 2, margin: 32, alignment: 32), y2 = TiledNetwork.spans(length: 1080, count: 2, margin: 32, alignment: 32)
        XCTAssertLessThan(3 * x[0].length * y[0].length, 4 * x2[0].length * y2[0].length)
        let (x4, y4) = net.grid(width: 3840, height: 2160)
        XCTAssertLessThanOrEqual(x4[0].length * y4[0].length, 1280 * 720)
    }

    /// Inception-v3 on a photo, tiled 2x2 with a small limit, against the whole image.
    func testTiledGradientMatchesWhole() throws {
        let model = try Self.inception.model()
        let net = Network(model: model, engine: try OneDNNEngine(graph: model.graph, threads: 2))
        let image = try TestData.photo("dog.jpg", width: 400, height: 300)
        XCTAssertEqual(model.graph.totalStride, 32)
        // Two 304x300 strips (cores 200 wide; starts on Inception's 32-pixel grid): fewer pixels than 2x2 tiles.
        let tiled = TiledNetwork(net, maxTilePixels: 340 * 300, margin: 32)
        XCTAssertEqual(tiled.grid(width: 400, height: 300).x.count, 2)
        for layer in ["mixed_3", "mixed_5"] {
            let whole = try net.gradient(of: Objective(layer: layer), at: image)
            let parts = try tiled.gradient(of: Objective(layer: layer), at: image)
            // The value is an estimate (tiles' borders count in their means); only the gradient steers.
            XCTAssertEqual(parts.value / whole.value, 1, accuracy: 0.1, layer)
            // Measured: 0.99999994 (mixed_3), 0.997 (mixed_5); 0.69 and 0.52 with unaligned tiles.
            let cos = cosine(whole.gradient, parts.gradient)
            XCTAssertGreaterThan(cos, 0.99, layer)
            // Seams: the gradient's size along the seam lines is that of the whole image there.
            for (name, band) in [("vertical seam", columns(198..<202, of: image)), ("horizontal seam", rows(148..<152, of: image))] {
                let a = meanAbs(whole.gradient, band), b = meanAbs(parts.gradient, band)
                XCTAssertEqual(b / a, 1, accuracy: 0.05, "\(layer) \(name): mean |gradient| tiled \(b) vs whole \(a)")
            }
            XCTAssertEqual(meanAbs(parts.gradient, Array(0..<image.count)) / meanAbs(whole.gradient, Array(0..<image.count)), 1, accuracy: 0.05, layer)
            print("\(layer): cosine tiled/whole \(cos)")
        }
    }

    func columns(_ cols: Range<Int>, of image: Tensor) -> [Int] {
        let (h, w) = (image.shape[1], image.shape[2])
        return (0..<3).flatMap { c in (0..<h).flatMap { r in cols.map { (c * h + r) * w + $0 } } }
    }

    func rows(_ rows: Range<Int>, of image: Tensor) -> [Int] {
        let (h, w) = (image.shape[1], image.shape[2])
        return (0..<3).flatMap { c in rows.flatMap { r in (0..<w).map { (c * h + r) * w + $0 } } }
    }

    func meanAbs(_ t: Tensor, _ indices: [Int]) -> Double {
        indices.reduce(0.0) { $0 + Double(abs(t.data[$1])) } / Double(indices.count)
    }

    func cosine(_ a: Tensor, _ b: Tensor) -> Double {
        let dot = zip(a.data, b.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let na = a.data.reduce(0.0) { $0 + Double($1 * $1) }, nb = b.data.reduce(0.0) { $0 + Double($1 * $1) }
        return dot / (na * nb).squareRoot()
    }
}
