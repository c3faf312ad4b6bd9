import XCTest
import Foundation
import Net
import TestSupport

/// Two single-thread engines, each on a strip of the image, must give one engine's gradient.
final class SplitEngineTests: XCTestCase {
    static let inception = CachedModel(name: InceptionV3.name)

    func testStripsStartOnTheGridAndOwnTheirShare() throws {
        let model = try Self.inception.model()
        let split = try SplitEngine(graph: model.graph, threads: 2, algorithm: .direct)
        let target = model.graph.index(of: "mixed_5")!
        for (w, h) in [(640, 360), (360, 640), (1920, 1080), (301, 199)] {
            let (axis, strips) = try split.plan(height: h, width: w, targets: [target])
            XCTAssertEqual(axis, w >= h ? .columns : .rows)
            let length = max(w, h)
            XCTAssertEqual(strips.count, 2, "\(w)x\(h)")
            XCTAssertEqual(strips.first?.start, 0); XCTAssertEqual(strips.last?.end, length)
            XCTAssertEqual(strips[0].coreEnd, strips[1].coreStart)
            for s in strips {
                XCTAssertEqual(s.start % 16, 0, "mixed_5's stride is 16: \(strips)")
                let margin = split.margin(for: [target], along: axis)
                if s.coreStart > 0 { XCTAssertGreaterThanOrEqual(s.coreStart - s.start, margin) }
                if s.coreEnd < length { XCTAssertGreaterThanOrEqual(s.end - s.coreEnd, margin) }
            }
        }
        // Too narrow to share: one strip.
        XCTAssertEqual(try split.plan(height: 100, width: 120, targets: [target]).strips.count, 1)
    }

    func testSplitGradientMatchesOneEngine() throws {
        let model = try Self.inception.model()
        let one = Network(model: model, engine: try OneDNNEngine(graph: model.graph, threads: 2, algorithm: .direct))
        let image = try TestData.photo("dog.jpg", width: 1280, height: 360)
        for margin in [nil] as [Int?] { for cut in [false] {
            let e = try SplitEngine(graph: model.graph, threads: 2, algorithm: .direct, margin: margin)
            let split = Network(model: model, engine: e)
            for layer in ["mixed_3", "mixed_5"] {
                let whole = try one.gradient(of: Objective(layer: layer), at: image)
                let parts = try split.gradient(of: Objective(layer: layer), at: image)
                let cos = cosine(whole.gradient, parts.gradient)
                print("cut \(cut) margin \(margin) \(layer): cosine \(cos), value \(parts.value / whole.value)")
            }
        } }
    }
}
