import XCTest
import FrameLoop
import Imaging
import Schedule

final class RandomTests: XCTestCase {
    func testSameSeedSameStream() {
        var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42), c = SeededRandom(seed: 43)
        let sa = (0..<100).map { _ in a.next() }
        XCTAssertEqual(sa, (0..<100).map { _ in b.next() })
        XCTAssertNotEqual(sa, (0..<100).map { _ in c.next() })
    }

    func testIntInRangeCoversRangeUniformly() {
        var r = SeededRandom(seed: 7)
        var counts = [Int](repeating: 0, count: 65)
        for _ in 0..<65_000 { counts[r.int(in: -32...32) + 32] += 1 }
        XCTAssertGreaterThan(counts.min()!, 800)
        XCTAssertLessThan(counts.max()!, 1200)
        XCTAssertEqual(r.int(in: 5...5), 5)
    }
}
