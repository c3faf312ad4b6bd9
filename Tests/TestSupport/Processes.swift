import Foundation

/// What a finished subprocess left: its exit, how it ended (a crash is a signal, not an exit) and both outputs.
public struct Run {
    public var status: Int32
    public var reason: Process.TerminationReason
    /// Standard output as bytes (raw video, JSON); `stdout` is the same as text.
    public var output: Data
    public var stderr: String

    public var stdout: String { String(decoding: output, as: UTF8.self) }
    public var stderrLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }
    public var crashed: Bool {
        reason != .exit || stderr.contains("Fatal error") || stderr.contains("crashed") || stderr.contains("Backtrac")
    }
}

/// A test-setup failure (a missing tool, binary or photo): its message says what to do.
public struct Problem: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// Runs `executable` to completion, in `directory` when given. Both outputs go to files, not pipes, so
/// that a tool writing megabytes (ffmpeg's raw video) cannot block on a pipe nobody drains.
public func runProcess(_ executable: URL, _ args: [String], in directory: String? = nil,
                       environment: [String: String] = [:]) throws -> Run {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("dreamvideo-tests-io-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)

    let p = Process()
    p.executableURL = executable
    p.arguments = args
    if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
    p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    try out.close(); try err.close()
    return Run(status: p.terminationStatus, reason: p.terminationReason,
               output: try Data(contentsOf: outURL),
               stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

/// A tool (ffmpeg, ffprobe) from PATH; the Makefile installs Debian's ffmpeg.
public func tool(_ name: String) throws -> URL {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
        let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw Problem("\(name) is not on PATH; install ffmpeg (make deps)")
}

/// `runProcess` on a tool found by `tool(_:)`.
public func runTool(_ name: String, _ args: [String], in directory: String? = nil) throws -> Run {
    try runProcess(try tool(name), args, in: directory)
}
