import Foundation
import Net
import XCTest
import TestSupport

final class SHA256Tests: XCTestCase {
    /// FIPS 180-4 examples, and a million 'a's fed in uneven pieces (block boundaries crossed both ways).
    func testKnownDigests() {
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var h = SHA256()
        let a = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        var i = 0, step = 1
        while i < a.count {
            let end = min(a.count, i + step)
            if step % 2 == 0 { a[i..<end].withUnsafeBytes { h.update($0) } } else { h.update(a[i..<end]) }
            i = end; step = step * 3 + 1
        }
        XCTAssertEqual(h.hexDigest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// A file hashed in 1 MiB pieces (as a render hashes its input) gives what sha256sum, an
    /// independent implementation, prints for it: 3 MiB and 5 bytes, so the last piece is short.
    func testFileHashedInPiecesMatchesSha256sum() throws {
        let dir = try makeTempDir()
        let path = dir + "/input.bin"
        var rng = SplitMix(seed: 11)
        let bytes = (0..<(3 << 20) + 5).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let run = try runTool("sha256sum", [path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let expected = String(run.stdout.prefix(64))
        XCTAssertEqual(SHA256.hex(ofFileAt: path), expected)
        XCTAssertNil(SHA256.hex(ofFileAt: dir + "/missing.bin"))
    }

    /// A weights file whose bytes no longer match the recorded checksum is refused by name.
    func testDamagedWeightsAreRefused() throws {
        let store = ModelStore()
        let real = try store.url(of: "squeezenet1_1")
        // Weights without a recorded checksum are refused now, so the real ones must have it (make models).
        guard FileManager.default.fileExists(atPath: real.path + ".sha256") else {
            return XCTFail("no checksum recorded beside \(real.path); run `make models`")
        }
        let dir = URL(fileURLWithPath: try makeTempDir())
        defer { try? FileManager.default.removeItem(at: dir) }
        var bytes = try Data(contentsOf: real)
        try FileManager.default.copyItem(atPath: real.path + ".sha256", toPath: dir.path + "/squeezenet1_1.safetensors.sha256")
        try bytes.write(to: dir.appendingPathComponent("squeezenet1_1.safetensors"))
        XCTAssertNoThrow(try ModelStore(directory: dir).load(name: "squeezenet1_1"), "the intact copy is refused")
        bytes[bytes.count - 3] ^= 1
        try bytes.write(to: dir.appendingPathComponent("squeezenet1_1.safetensors"))
        XCTAssertThrowsError(try ModelStore(directory: dir).load(name: "squeezenet1_1")) { error in
            guard case ModelStoreError.checksumMismatch = error else { return XCTFail("\(error)") }
        }
    }
}
