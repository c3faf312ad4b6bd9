import Foundation
import XCTest
import TestSupport

/// The built `dreamvideo`: SwiftPM puts the test bundle (dreamvideoPackageTests.xctest) and the
/// executable in the same .build/<config>/ folder, and CommandTests depends on the dreamvideo target,
/// so `swift test` builds the binary these tests run.
func dreamvideoBinary() throws -> URL {
    var folders = [Bundle.main.bundleURL, Bundle(for: CommandTestCase.self).bundleURL.deletingLastPathComponent()]
    if let exe = Bundle.main.executableURL { folders.append(exe.deletingLastPathComponent()) }
    for folder in folders {
        let candidate = folder.appendingPathComponent("dreamvideo")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw Problem("no dreamvideo executable next to the test bundle in \(folders.map(\.path)); run `swift build -c release` first")
}

/// Common set-up: a fresh working directory per test, removed afterwards, and the binary.
class CommandTestCase: XCTestCase {
    var dir = ""
    var binary = URL(fileURLWithPath: "/")

    override func setUpWithError() throws {
        binary = try dreamvideoBinary()
        dir = try makeTempDir(name)
    }

    override func tearDownWithError() throws {
        if !dir.isEmpty { try? FileManager.default.removeItem(atPath: dir) }
    }

    func dreamvideo(_ args: [String], environment: [String: String] = [:]) throws -> Run {
        try runProcess(binary, args, in: dir, environment: environment)
    }

    /// Writes `text` to a file in the working directory and returns its absolute path.
    @discardableResult
    func write(_ text: String, to name: String) throws -> String {
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func listing(_ folder: String? = nil) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder ?? dir).sorted()
    }
}
