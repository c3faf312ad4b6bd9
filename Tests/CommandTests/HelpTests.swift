import Foundation
import XCTest

final class HelpTests: CommandTestCase {
    /// `--help` split into one entry per option: an entry starts at a line "  -x, --name ..." or
    /// "  --name ..." and runs on over the more deeply indented lines that wrap its text.
    func optionEntries(_ help: String) -> [String: String] {
        var entries: [String: String] = [:]
        var current: String?
        for line in help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("  -") {
                let names = trimmed.split(separator: " ").prefix(2).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ",")) }
                current = names.first { $0.hasPrefix("--") }
                if let c = current { entries[c] = trimmed }
            } else if line.hasPrefix("      "), let c = current {
                entries[c, default: ""] += " " + trimmed
            } else {
                current = nil
            }
        }
        return entries
    }

    func testHelpListsEveryOptionWithItsDefault() throws {
        let run = try dreamvideo(["--help"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertFalse(run.crashed)
        let help = run.stdout
        XCTAssertTrue(help.contains("<input>"), "the start image argument is not described:\n\(help)")
        let entries = optionEntries(help)

        // Default values shown by the parser, and defaults that depend on something, said in words.
        let defaults: [String: String] = [
            "--schedule": "(default: layers)", "--fps": "Default: 30", "--crf": "(default: 18)",
            "--seed": "(default: 0)", "--codec": "(default: libx264)", "--preset": "(default: medium)",
            "--output": "Default:", "--size": "Default:", "--carry": "Default: 0.6", "--flow": "Default: on", "--model": "Default:", "--threads": "Default:",
        ]
        let options = ["--schedule", "--output", "--frames-dir", "--size", "--model", "--fps", "--crf", "--seed",
                       "--threads", "--layer", "--frames", "--octaves", "--octave-scale", "--steps", "--step-size",
                       "--jitter", "--zoom", "--codec", "--preset", "--overwrite", "--resume",
                       "--carry", "--flow", "--audio", "--preview", "--mask", "--loop",
                       "--music", "--music-plot"]
        for option in options {
            guard let entry = entries[option] else {
                XCTFail("--help does not list \(option):\n\(help)")
                continue
            }
            XCTAssertGreaterThan(entry.count, option.count + 10, "\(option) has no explanation: \(entry)")
            if let d = defaults[option] {
                XCTAssertTrue(entry.contains(d), "\(option) does not show its default \(d): \(entry)")
            }
        }
        XCTAssertTrue(entries["--output"]?.hasPrefix("-o, --output") ?? false, "-o is not the short form of --output")
    }

    func testVersion() throws {
        let run = try dreamvideo(["--version"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertFalse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }
}
