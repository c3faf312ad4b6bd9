import Foundation
import FrameLoop
import XCTest

/// A fresh empty directory under the system temporary directory, removed by the caller's teardown.
func makeTempDir(_ name: String = #function) throws -> String {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("encode-tests-\(safe)-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

struct ProcessResult {
    var status: Int32
    var stdout: Data
    var stderr: String
}

/// Runs a tool (ffmpeg, ffprobe) to completion, collecting both outputs.
func runTool(_ tool: String, _ args: [String]) throws -> ProcessResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/" + tool)
    p.arguments = args
    // stderr goes to a file so that a chatty tool cannot fill a pipe nobody reads while stdout is drained.
    let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("encode-tests-\(UUID().uuidString).err").path
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: errPath) }
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle(forWritingAtPath: errPath)
    try p.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let errData = FileManager.default.contents(atPath: errPath) ?? Data()
    return ProcessResult(status: p.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
}

/// ffprobe's view of the first video stream, frames counted by decoding.
func probe(_ path: String) throws -> [String: Any] {
    let r = try runTool("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                                "stream=codec_name,width,height,pix_fmt,r_frame_rate,avg_frame_rate,nb_frames,nb_read_frames,duration,color_space,color_range",
                                "-of", "json", path])
    XCTAssertEqual(r.status, 0, r.stderr)
    let json = try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any]
    let streams = json?["streams"] as? [[String: Any]] ?? []
    return streams.first ?? [:]
}

/// Decodes every frame of a video (or an image) to interleaved RGB24 with ffmpeg.
func ffmpegRGB24(_ path: String) throws -> [UInt8] {
    let r = try runTool("ffmpeg", ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
    XCTAssertEqual(r.status, 0, r.stderr)
    return [UInt8](r.stdout)
}

/// A smooth colourful pattern that drifts with `t`: what the MP4 tests encode.
func movingPattern(width w: Int, height h: Int, t: Int) -> FloatImage {
    var img = FloatImage(width: w, height: h)
    let plane = w * h
    for y in 0..<h {
        for x in 0..<w {
            let fx = Float(x + 3 * t), fy = Float(y + 2 * t)
            let i = y * w + x
            img.pixels[i] = 128 + 90 * sin(fx / 23)
            img.pixels[plane + i] = 128 + 90 * cos(fy / 19)
            img.pixels[2 * plane + i] = 128 + 80 * sin((fx + fy) / 31)
        }
    }
    return img
}

/// PSNR in dB between two equally long 8-bit buffers.
func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
    precondition(a.count == b.count && !a.isEmpty)
    var se = 0.0
    for i in 0..<a.count { let d = Double(a[i]) - Double(b[i]); se += d * d }
    let mse = se / Double(a.count)
    return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
}

/// Top-level MP4 box types in file order.
func topLevelBoxes(_ path: String) throws -> [String] {
    let b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    var pos = 0, types: [String] = []
    while pos + 8 <= b.count {
        var size = b[pos..<pos + 4].reduce(0) { $0 << 8 | Int($1) }
        types.append(String(decoding: b[pos + 4..<pos + 8], as: UTF8.self))
        if size == 1 { size = b[pos + 8..<pos + 16].reduce(0) { $0 << 8 | Int($1) } }
        if size == 0 { break }
        pos += size
    }
    return types
}

func fileExists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
