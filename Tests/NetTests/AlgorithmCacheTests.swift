import XCTest
import Foundation
import Net
import TestSupport

/// The algorithm cache is a file in the user's cache: a damaged one is ignored and rewritten, never a crash.
final class AlgorithmCacheTests: XCTestCase {
    let entry = AlgorithmCache.Entry(choice: "winograd", milliseconds: ["direct": 2.0, "winograd": 1.0])

    func testRoundTripKeepsOtherMachines() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let url = URL(fileURLWithPath: dir + "/sub/convolution-algorithms.json")
        let a = AlgorithmCache(url: url, machine: "cpu A, oneDNN 2.6.3")
        let b = AlgorithmCache(url: url, machine: "cpu B, oneDNN 2.6.3")
        try a.save(["k1": entry])
        try b.save(["k1": AlgorithmCache.Entry(choice: "direct", milliseconds: [:])])
        XCTAssertEqual(a.load(), ["k1": entry])
        XCTAssertEqual(b.load()["k1"]?.choice, "direct")
        try a.save(["k2": entry])
        XCTAssertEqual(Set(a.load().keys), ["k1", "k2"])
        // No temporary is left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/sub"), ["convolution-algorithms.json"])
    }

    func testDamagedFileIsIgnoredAndRewritten() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let url = URL(fileURLWithPath: dir + "/convolution-algorithms.json")
        let cache = AlgorithmCache(url: url, machine: "m")
        for junk in [Data("{\"format\": 1, \"machines\": {\"m\": {\"k\": {\"choice\": 3}}}}".utf8), Data("not json".utf8),
                     Data([0xff, 0x00, 0x7b]), Data(), Data("{\"format\": 2, \"machines\": {}}".utf8)] {
            try junk.write(to: url)
            XCTAssertEqual(cache.load(), [:])
            try cache.save(["k": entry])
            XCTAssertEqual(cache.load(), ["k": entry])
        }
        // A folder where the file should be: nothing to load, and saving says why.
        try FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        XCTAssertEqual(cache.load(), [:])
        XCTAssertThrowsError(try cache.save(["k": entry])) { XCTAssertTrue("\($0)".contains("DREAMVIDEO_CACHE"), "\($0)") }
    }

    func testSymlinkIsNotFollowed() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = dir + "/someone-elses.json"
        try Data("{\"format\": 1, \"machines\": {\"m\": {\"k\": {\"choice\": \"direct\", \"milliseconds\": {}}}}}".utf8).write(to: URL(fileURLWithPath: target))
        let url = URL(fileURLWithPath: dir + "/convolution-algorithms.json")
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
        let cache = AlgorithmCache(url: url, machine: "m")
        XCTAssertEqual(cache.load(), [:], "a symlink is not read through")
        try cache.save(["k": entry])
        // The link itself was replaced by our file; what it pointed to is untouched.
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8).contains("direct"), true)
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: url.path))
        XCTAssertEqual(cache.load(), ["k": entry])
    }

    func testLocationFollowsTheEnvironment() {
        XCTAssertEqual(AlgorithmCache.defaultURL(environment: ["DREAMVIDEO_CACHE": "/c", "HOME": "/h"]).path, "/c/convolution-algorithms.json")
        XCTAssertEqual(AlgorithmCache.defaultURL(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]).path, "/x/dreamvideo/convolution-algorithms.json")
        XCTAssertEqual(AlgorithmCache.defaultURL(environment: ["HOME": "/h"]).path, "/h/.cache/dreamvideo/convolution-algorithms.json")
    }

    func testCPUNameFromCPUInfo() {
        let info = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC 9R14\nstepping\t: 1\n\nprocessor\t: 1\nmodel name\t: other\n"
        XCTAssertEqual(AlgorithmCache.cpuName(cpuinfo: info), "AMD EPYC 9R14 (family 25 model 17 stepping 1)")
        XCTAssertEqual(AlgorithmCache.cpuName(cpuinfo: ""), "unknown CPU")
    }
}
