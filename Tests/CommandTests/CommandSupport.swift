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

    /// Starts the binary without waiting for it.
    func start(_ args: [String]) throws -> (Process, stderr: URL) {
        let err = URL(fileURLWithPath: dir).appendingPathComponent("stderr-\(UUID().uuidString.prefix(6)).log")
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return (p, err)
    }

    /// Waits until `path` exists (the render reached that frame), or the process ended.
    func waitFor(_ path: String, _ p: Process) {
        while !FileManager.default.fileExists(atPath: path) && p.isRunning { usleep(5_000) }
    }

    /// Runs the render (its frames in `framesDir`), sends `signals` once frame `after` exists there, waits.
    /// `delay`: how long after frame `after` appeared to send the first signal (into the next frame).
    func interrupted(_ args: [String], after: Int, signals: [Int32], framesDir: String = "frames", delay: useconds_t = 0, gap: useconds_t = 0) throws -> (status: Int32, stderr: String) {
        let (p, errURL) = try start(args)
        waitFor(dir + "/" + framesDir + "/" + String(format: "frame_%05d.png", after), p)
        usleep(delay)
        XCTAssertTrue(p.isRunning, "the render ended before it could be interrupted")
        for s in signals { kill(p.processIdentifier, s); usleep(gap) }
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit, "killed by the signal instead of stopping cleanly")
        let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        try FileManager.default.removeItem(at: errURL)
        return (p.terminationStatus, stderr)
    }

    func listing(_ folder: String? = nil) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder ?? dir).sorted()
    }
}
