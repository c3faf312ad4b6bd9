import XCTest
import Foundation
@testable import Net
import TestSupport

final class ConvolutionTunerTests: XCTestCase {
    /// Two engines (a render's two strips) that time one key at once agree on the answer: the first
    /// to finish decides, the other takes its choice, and the cache holds that one. Here each thread
    /// finds the other candidate faster, so without the rule they would part ways.
    func testEnginesTimingOneKeyAtOnceAgree() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = AlgorithmCache(url: URL(fileURLWithPath: dir).appendingPathComponent("algorithms.json"), machine: "test")
        let tuner = ConvolutionTuner(cache: cache)
        let bothTiming = DispatchGroup()
        bothTiming.enter()
        bothTiming.enter()
        let slow: () throws -> Void = { usleep(3000) }
        let fast: () throws -> Void = {}
        @Sendable func candidates(slowOne: String) -> [(name: String, run: () throws -> Void)] {
            var arrived = false
            let meet: () throws -> Void = {
                // The first run of each thread waits for the other's: both time before either decides.
                if !arrived { arrived = true; bothTiming.leave(); bothTiming.wait() }
            }
            return ["direct", "winograd"].map { name in
                (name: name, run: { try meet(); try (name == slowOne ? slow : fast)() })
            }
        }
        let answers = ResultPair()
        let done = DispatchGroup()
        for (i, slowOne) in ["winograd", "direct"].enumerated() {
            done.enter()
            Thread {
                answers.set(i, Result { try tuner.choose(layer: "conv", key: "k", candidates: candidates(slowOne: slowOne)) })
                done.leave()
            }.start()
        }
        done.wait()
        let a = try answers.get(0), b = try answers.get(1)
        XCTAssertEqual(a, b, "both strips run the same algorithm")
        XCTAssertEqual(ConvolutionTuner(cache: cache).cached(layer: "conv", key: "k", among: ["direct", "winograd"]), a)
        XCTAssertEqual(tuner.decisions.filter { !$0.fromCache }.count, 1, "one decision recorded")
    }
}

/// Two threads' results, read after both are done.
private final class ResultPair: @unchecked Sendable {
    private var results: [Int: Result<String, Error>] = [:]
    private let lock = NSLock()
    func set(_ i: Int, _ r: Result<String, Error>) { lock.lock(); results[i] = r; lock.unlock() }
    func get(_ i: Int) throws -> String { lock.lock(); defer { lock.unlock() }; return try results[i]!.get() }
}
