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

    /// A tmpfs mounted with `options` (as `mount -o` takes them) on a new folder `name` in the working
    /// directory, unmounted after the test. Mounting needs root: elsewhere the test is skipped.
    @discardableResult
    func mountTmpfs(_ name: String, options: String) throws -> String {
        let folder = dir + "/" + name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let m = try runProcess(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", options, "tmpfs", folder], in: dir)
        guard m.status == 0 else { throw XCTSkip("cannot mount a tmpfs (\(options)) here (\(m.stderr)); this needs root") }
        addTeardownBlock { [dir] in _ = try? runProcess(URL(fileURLWithPath: "/bin/umount"), [folder], in: dir) }
        return folder
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
