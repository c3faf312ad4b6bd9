import Foundation
import XCTest

/// What a finished subprocess left: its exit, how it ended (a crash is a signal, not an exit) and both outputs.
struct Run {
    var status: Int32
    var reason: Process.TerminationReason
    var stdout: String
    var stderr: String

    var stderrLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }
    var crashed: Bool {
        reason != .exit || stderr.contains("Fatal error") || stderr.contains("crashed") || stderr.contains("Backtrac")
    }
}

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

struct Problem: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Runs `executable` to completion in `directory`. Both outputs go to files, not pipes, so that a
/// tool writing megabytes (ffmpeg's raw video) cannot block on a pipe nobody drains.
func runProcess(_ executable: URL, _ args: [String], in directory: String, environment: [String: String] = [:]) throws -> Run {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cmdtests-io-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)

    let p = Process()
    p.executableURL = executable
    p.arguments = args
    p.currentDirectoryURL = URL(fileURLWithPath: directory)
    p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    try out.close(); try err.close()
    return Run(status: p.terminationStatus, reason: p.terminationReason,
               stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
               stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

/// ffmpeg and ffprobe from PATH (the Makefile installs Debian's ffmpeg).
func tool(_ name: String) throws -> URL {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
        let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw Problem("\(name) is not on PATH; install ffmpeg (make deps)")
}

/// A photo from Debian's darknet package, fetched by `make testdata`.
func testPhoto(_ name: String) throws -> String {
    let env = ProcessInfo.processInfo.environment
    let dir = env["DREAMVIDEO_TESTDATA"].flatMap { $0.isEmpty ? nil : $0 }
        ?? (env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")) + "/dreamvideo/testdata"
    let path = dir + "/" + name
    guard FileManager.default.fileExists(atPath: path) else { throw Problem("test photo \(path) is missing; run `make testdata`") }
    return path
}

/// A video or image sequence decoded by ffmpeg to 8-bit RGB frames.
struct RGBFrames {
    var width: Int
    var height: Int
    var frames: [[UInt8]]
}

/// Decodes `input` (an MP4, or an image-sequence pattern such as DIR/frame_%05d.png) with ffmpeg.
func decodeRGB(_ input: String, width: Int, height: Int, in directory: String) throws -> RGBFrames {
    let raw = directory + "/decoded-\(UUID().uuidString).rgb"
    defer { try? FileManager.default.removeItem(atPath: raw) }
    let r = try runProcess(try tool("ffmpeg"), ["-v", "error", "-i", input, "-f", "rawvideo", "-pix_fmt", "rgb24", "-y", raw],
                           in: directory)
    guard r.status == 0 else { throw Problem("ffmpeg could not decode \(input): \(r.stderr)") }
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: raw)))
    let size = 3 * width * height
    guard bytes.count % size == 0 else { throw Problem("\(input) decoded to \(bytes.count) bytes, not a whole number of \(width)x\(height) frames") }
    return RGBFrames(width: width, height: height, frames: stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0 ..< $0 + size]) })
}

func meanAbsDiff(_ a: [UInt8], _ b: [UInt8]) -> Double {
    precondition(a.count == b.count)
    var sum = 0
    for i in a.indices { sum += abs(Int(a[i]) - Int(b[i])) }
    return Double(sum) / Double(a.count)
}

/// Peak signal-to-noise ratio in dB of the luma (BT.709 weights) of two RGB24 frames; infinity when equal.
/// Luma, because the MP4 is yuv420p: its chroma has a quarter of the samples, and a dreamed frame's fine
/// colour detail alone caps a lossless (crf 0) encode near 27 dB in RGB at 128x96 (measured), while its
/// luma comes through at 44 dB.
func lumaPSNR(_ a: [UInt8], _ b: [UInt8]) -> Double {
    precondition(a.count == b.count && a.count % 3 == 0)
    var sum = 0.0
    for i in stride(from: 0, to: a.count, by: 3) {
        let ya = 0.2126 * Double(a[i]) + 0.7152 * Double(a[i + 1]) + 0.0722 * Double(a[i + 2])
        let yb = 0.2126 * Double(b[i]) + 0.7152 * Double(b[i + 1]) + 0.0722 * Double(b[i + 2])
        sum += (ya - yb) * (ya - yb)
    }
    let mse = sum / Double(a.count / 3)
    return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
}

/// Common set-up: a fresh working directory per test, removed afterwards, and the binary.
class CommandTestCase: XCTestCase {
    var dir = ""
    var binary = URL(fileURLWithPath: "/")

    override func setUpWithError() throws {
        binary = try dreamvideoBinary()
        let safe = name.filter { $0.isLetter || $0.isNumber }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("cmdtests-\(safe)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
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
