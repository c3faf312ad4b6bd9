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
        let png = Data(CraftedPNG.stored(width: 16384, height: 1, rows: row))
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
}
