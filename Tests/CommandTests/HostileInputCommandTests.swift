import Foundation
import Net
import XCTest
import TestSupport

/// Issue 10, items 6, 7, 8 and 12 as the user sees them: files that crashed the command, hung it or
/// made it ask for terabytes now get one `error:` line and exit 1 (or, for the thin image, render).
extension UserErrorTests {
    /// `truncate -s 1T big.png` aborted in reserveCapacity (a 1 TB allocation).
    func testSparseHugeInputIsOneLine() throws {
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/big.png", contents: Data([0x89, 0x50, 0x4E, 0x47])))
        XCTAssertEqual(truncate(dir + "/big.png", 1 << 40), 0, "cannot make a sparse 1 TB file here")
        try expectError(try base(input: "big.png"), mentions: ["big.png", "1.1 TB", "512 MB"])
    }

    /// A FIFO as the input, the palette or the guide blocked forever (opening it waits for a writer).
    func testFIFOInputPaletteAndGuideAreOneLine() throws {
        XCTAssertEqual(mkfifo(dir + "/pipe.png", 0o600), 0)
        try expectError(try base(input: "pipe.png"), mentions: ["pipe.png", "FIFO"])
        try expectError(try base() + ["--palette", "pipe.png"], mentions: ["pipe.png", "FIFO"])
        try expectError(try base() + ["--guide", "pipe.png"], mentions: ["pipe.png", "FIFO"])
        try expectError(try base(input: "/dev/zero"), mentions: ["/dev/zero", "character device"])
    }

    /// A schedule nested 50,000 deep overflowed the stack (SIGSEGV).
    func testDeeplyNestedScheduleIsOneLine() throws {
        try write("{\"segments\": " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "}", to: "deep.json")
        try expectError(try base(layer: []) + ["--schedule", "deep.json"], mentions: ["deep.json:1:77", "nested more than 64 deep"])
    }

    /// A 16384x1 PNG (133 bytes) covering the output made coverCropped ask for 229 GB at 1920x1080 (and
    /// 1.3 GB at this test's 96x80, which the unit test ResampleTests.testThinImageCoverCropAllocatesLittle covers): it renders now.
    func testThinImageRenders() throws {
        // 16384 x 1, 8-bit RGB, one row of a repeating ramp; written by hand so no tool decides its layout.
        var row: [UInt8] = [0]
        for x in 0..<16384 { row += [UInt8(x % 256), UInt8((x / 64) % 256), 128] }
        let png = try pngFile(width: 16384, height: 1, rows: row)
        try png.write(to: URL(fileURLWithPath: dir + "/thin.png"))
        let run = try dreamvideo(try base(input: "thin.png"))
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try probe(dir + "/out.mp4")["width"] as? Int, 96)
    }

    /// Weights without their .sha256 record were loaded unchecked.
    func testWeightsWithoutSidecarAreRefusedByTheCommand() throws {
        let models = dir + "/models"
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: false)
        let real = try ModelStore(environment: ProcessInfo.processInfo.environment).url(of: "squeezenet1_1").path
        try FileManager.default.copyItem(atPath: real, toPath: models + "/squeezenet1_1.safetensors")
        try expectError(try base(), mentions: ["squeezenet1_1.safetensors.sha256 is missing", "make models"],
                        environment: ["DREAMVIDEO_MODELS": models])
    }

    /// A PNG of one IHDR, one stored-deflate IDAT (zlib without compression, so no library is needed) and IEND.
    func pngFile(width: Int, height: Int, rows: [UInt8]) throws -> Data {
        func be32(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }
        func crc32(_ bytes: [UInt8]) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for b in bytes { c ^= UInt32(b); for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 } }
            return ~c
        }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return be32(data.count) + body + be32(Int(crc32(body)))
        }
        // zlib: header, stored blocks of at most 65535 bytes, Adler-32.
        var z: [UInt8] = [0x78, 0x01]
        var i = 0
        while i < rows.count {
            let n = min(65535, rows.count - i)
            z += [i + n == rows.count ? 1 : 0, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            z += rows[i..<(i + n)]
            i += n
        }
        var a: UInt32 = 1, b: UInt32 = 0
        for v in rows { a = (a + UInt32(v)) % 65521; b = (b + a) % 65521 }
        z += be32(Int(b << 16 | a))
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        return Data(signature + chunk("IHDR", be32(width) + be32(height) + [8, 2, 0, 0, 0]) + chunk("IDAT", z) + chunk("IEND", []))
    }
}
