import Foundation
import XCTest

/// ffprobe's JSON for `path`: `entries` as -show_entries takes them ("stream=width,height", "format_tags=comment"),
/// `streams` as -select_streams ("v:0"), frames counted by decoding when `countFrames`.
public func ffprobe(_ path: String, entries: String, streams: String? = nil, countFrames: Bool = false,
                    in directory: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    var args = ["-v", "error"]
    if countFrames { args.append("-count_frames") }
    if let streams { args += ["-select_streams", streams] }
    let r = try runTool("ffprobe", args + ["-show_entries", entries, "-of", "json", path], in: directory)
    XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
    return try JSONSerialization.jsonObject(with: r.output) as? [String: Any] ?? [:]
}

/// ffprobe's view of the first video stream, frames counted by decoding.
public func probe(_ path: String, in directory: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    let json = try ffprobe(path, entries: "stream=codec_name,width,height,pix_fmt,r_frame_rate,avg_frame_rate,nb_frames,nb_read_frames,duration,color_space,color_range",
                           streams: "v:0", countFrames: true, in: directory, file: file, line: line)
    return (json["streams"] as? [[String: Any]])?.first ?? [:]
}

/// Decodes every frame of a video (or an image, or an image-sequence pattern such as DIR/frame_%05d.png)
/// to interleaved RGB24 with ffmpeg, resized to `size` when given.
public func ffmpegRGB24(_ input: String, size: (width: Int, height: Int)? = nil, in directory: String? = nil) throws -> [UInt8] {
    let resize = size.map { ["-s", "\($0.width)x\($0.height)"] } ?? []
    let r = try runTool("ffmpeg", ["-v", "error", "-i", input, "-f", "rawvideo", "-pix_fmt", "rgb24"] + resize + ["-"], in: directory)
    guard r.status == 0 else { throw Problem("ffmpeg could not decode \(input): \(r.stderr)") }
    return [UInt8](r.output)
}

/// A video or image sequence decoded by ffmpeg to 8-bit RGB frames.
public struct RGBFrames {
    public var width: Int
    public var height: Int
    public var frames: [[UInt8]]
}

/// `ffmpegRGB24` cut into frames of width x height.
public func decodeRGB(_ input: String, width: Int, height: Int, in directory: String) throws -> RGBFrames {
    let bytes = try ffmpegRGB24(input, in: directory)
    let size = 3 * width * height
    guard bytes.count % size == 0 else { throw Problem("\(input) decoded to \(bytes.count) bytes, not a whole number of \(width)x\(height) frames") }
    return RGBFrames(width: width, height: height, frames: stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0 ..< $0 + size]) })
}
