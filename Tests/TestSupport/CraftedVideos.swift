import Foundation

/// Unusual and hostile video files made with ffmpeg, for the reader's and `metrics`' tests. Each one is
/// built from plain parts that are also written (`parts`), so a test can decode the parts on their own
/// and compare: what a mid-stream change must decode to is what each part decodes to alone.
public struct CraftedVideos {
    public var directory: String

    public init(in directory: String) { self.directory = directory }

    func ffmpeg(_ args: [String]) throws {
        let r = try runTool("ffmpeg", ["-v", "error", "-y"] + args, in: directory)
        guard r.status == 0 else { throw Problem("ffmpeg \(args.joined(separator: " ")) failed: \(r.stderr)") }
    }

    /// `frames` H.264 frames of a test pattern at `width` x `height` in MPEG-TS, starting at `offset` s.
    public func h264TS(_ name: String, width: Int, height: Int, frames: Int = 3, offset: Double = 0,
                       pixelFormat: String = "yuv420p", range: String = "tv") throws -> String {
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=\(width)x\(height):rate=10", "-frames:v", String(frames),
                    "-c:v", "libx264", "-pix_fmt", pixelFormat, "-color_range", range, "-colorspace", "bt709",
                    "-output_ts_offset", String(offset), name])
        return name
    }

    /// One MPEG-TS file whose parts are cut together byte for byte (each part starts with a key frame and
    /// carries its own headers, so a decoder meets the new size or range mid-stream).
    public func joined(_ parts: [String], as name: String) throws -> String {
        var bytes = Data()
        for p in parts { bytes.append(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + p))) }
        try bytes.write(to: URL(fileURLWithPath: directory + "/" + name))
        return name
    }

    /// 3 frames at 64x48, then 3 at 160x120, then 3 at 64x48 (H.264 in MPEG-TS).
    public func resolutionChange(_ name: String = "sizes.ts") throws -> (video: String, parts: [String]) {
        let parts = [try h264TS("small1.ts", width: 64, height: 48),
                     try h264TS("large.ts", width: 160, height: 120, offset: 0.3),
                     try h264TS("small2.ts", width: 64, height: 48, offset: 0.6)]
        return (try joined(parts, as: name), parts)
    }

    /// The same size throughout, limited range 4:2:0 then full range 4:2:0 (yuvj420p): only the range
    /// and the pixel format's name change.
    public func rangeChange(_ name: String = "range.ts") throws -> (video: String, parts: [String]) {
        let parts = [try h264TS("tv.ts", width: 96, height: 64),
                     try h264TS("pc.ts", width: 96, height: 64, offset: 0.3, pixelFormat: "yuvj420p", range: "pc")]
        return (try joined(parts, as: name), parts)
    }

    /// PNG frames in Matroska, 96x64 throughout: 3 in rgb24, 3 in gray, 3 in rgb24. A converter made for
    /// rgb24 reads a gray frame's plane three times too far; one made for gray misreads rgb24.
    public func pixelFormatChange(_ name: String = "formats.mkv") throws -> (video: String, parts: [String]) {
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=96x64:rate=10", "-frames:v", "3", "-c:v", "png", "-pix_fmt", "rgb24", "rgb.mkv"])
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=96x64:rate=10", "-frames:v", "3", "-c:v", "png", "-pix_fmt", "gray", "gray.mkv"])
        try "file 'rgb.mkv'\nfile 'gray.mkv'\nfile 'rgb.mkv'\n".write(toFile: directory + "/formats.txt", atomically: true, encoding: .utf8)
        try ffmpeg(["-f", "concat", "-safe", "0", "-i", "formats.txt", "-c", "copy", name])
        return (name, ["rgb.mkv", "gray.mkv", "rgb.mkv"])
    }

    /// An ffconcat script that points at `target` (relative), under a video's name.
    public func concatScript(_ name: String = "script.mp4", pointingAt target: String) throws -> String {
        try "ffconcat version 1.0\nfile '\(target)'\n".write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        return name
    }

    /// An HLS playlist that points at `target` (relative), under a video's name.
    public func hlsPlaylist(_ name: String = "playlist.mp4", pointingAt target: String) throws -> String {
        try "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:1.0,\n\(target)\n#EXT-X-ENDLIST\n"
            .write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        return name
    }
}
