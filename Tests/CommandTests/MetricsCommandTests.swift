import Foundation
import XCTest
import TestSupport

/// `dreamvideo metrics`: a subcommand beside the root command's own INPUT argument.
final class MetricsCommandTests: CommandTestCase {
    func render(_ extra: [String]) throws -> Run {
        try dreamvideo([try testPhoto("dog.jpg"), "--model", "squeezenet1_1", "--layer", "fire3", "--size", "160x96",
                        "--frames", "6", "--octaves", "1", "--steps", "2", "--zoom", "1.04", "--threads", "2"] + extra)
    }

    func testMetricsOfAnMP4AndOfItsFramesAgree() throws {
        let r = try render(["-o", "out.mp4", "--frames-dir", "frames"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let mp4 = try dreamvideo(["metrics", "out.mp4", "--window", "2"])
        XCTAssertEqual(mp4.status, 0, mp4.stderr)
        let pngs = try dreamvideo(["metrics", "frames", "--window", "2"])
        XCTAssertEqual(pngs.status, 0, pngs.stderr)
        for out in [mp4.stdout, pngs.stdout] {
            XCTAssertTrue(out.contains("6 frames; first = frames 1-2, last = frames 5-6"), out)
            for word in ["lightness L*", "chroma", "clipped pixels", "sharpness", "flicker"] { XCTAssertTrue(out.contains(word), out) }
        }
        func figure(_ out: String, _ row: String) -> Double? {
            guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix(row) }) else { return nil }
            return line.split(separator: " ").compactMap { Double($0) }.first
        }
        // The MP4's figures are the PNGs' within H.264's loss, and the camera's zoom is found.
        let l1 = try XCTUnwrap(figure(mp4.stdout, "lightness")), l2 = try XCTUnwrap(figure(pngs.stdout, "lightness"))
        XCTAssertEqual(l1, l2, accuracy: 1.5)
        let zoomText = pngs.stdout.components(separatedBy: "undoing a zoom of ").last?.prefix(6) ?? ""
        XCTAssertEqual(try XCTUnwrap(Double(zoomText)), 1.04, accuracy: 0.003, pngs.stdout)
    }

    func testMetricsHelpAndErrors() throws {
        let help = try dreamvideo(["metrics", "--help"])
        XCTAssertEqual(help.status, 0, help.stderr)
        XCTAssertTrue(help.stdout.contains("dreamvideo metrics <video>"), help.stdout)
        XCTAssertTrue(help.stdout.contains("--window"))
        let root = try dreamvideo(["--help"])
        XCTAssertTrue(root.stdout.contains("--colour-coherence") && root.stdout.contains("metrics"), root.stdout)
        let missing = try dreamvideo(["metrics", "nothing.mp4"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertEqual(missing.stderrLines.count, 1, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("nothing.mp4: no such file"), missing.stderr)
    }

    func testColourCoherenceOffAndPaletteAreAccepted() throws {
        let off = try render(["--colour-coherence", "0", "-o", "off.mp4"])
        XCTAssertEqual(off.status, 0, off.stderr)
        let pal = try render(["--palette", try testPhoto("scream.jpg"), "-o", "pal.mp4"])
        XCTAssertEqual(pal.status, 0, pal.stderr)
        let bad = try render(["--colour-coherence", "2", "-o", "bad.mp4"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--colour-coherence") && bad.stderr.contains("0...1"), bad.stderr)
    }
}
