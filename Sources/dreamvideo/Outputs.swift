import Encode
import Foundation
import FrameLoop
import Net

/// Where the frames go: an MP4, a PNG sequence, or both. Checked before the render starts.
struct Outputs {
    var mp4: String?
    var framesDir: String?
    var encoder: MP4Sink.Options

    /// `resume`: the MP4 of the interrupted render is expected to exist (it is continued, not replaced).
    init(mp4: String?, framesDir: String?, input: String, overwrite: Bool, encoder: MP4Sink.Options,
         resume: Bool = false) throws {
        var mp4 = mp4
        if mp4 == nil && framesDir == nil {
            let stem = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
            mp4 = stem + "-dream.mp4"
        }
        if let path = mp4 {
            let fm = FileManager.default
            // Not NSString.deletingLastPathComponent: corelibs Foundation traps on a one-character path ("-o a").
            let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue {
                throw CommandError.outputIsDirectory(path)
            }
            if !dir.isEmpty && !(fm.fileExists(atPath: dir, isDirectory: &isDir) && isDir.boolValue) {
                throw CommandError.outputDirectoryMissing(dir)
            }
            try Self.checkWritable(dir.isEmpty ? "." : dir)
            // An interrupted render's video is not an ordinary existing file: say how to continue it.
            if !overwrite && !resume && fm.fileExists(atPath: Checkpoint.path(forOutput: path)) {
                throw CommandError.checkpointExists(Checkpoint.path(forOutput: path))
            }
            if fm.fileExists(atPath: path) && !overwrite && !resume { throw CommandError.outputExists(path) }
        }
        if let framesDir {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: framesDir, isDirectory: &isDir) && isDir.boolValue {
                try Self.checkWritable(framesDir)
                if !overwrite && !resume {
                    if FileManager.default.fileExists(atPath: Checkpoint.path(forOutput: framesDir)) {
                        throw CommandError.checkpointExists(Checkpoint.path(forOutput: framesDir))
                    }
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: framesDir)) ?? []
                    if names.contains(where: { $0.hasPrefix("frame_") && $0.hasSuffix(".png") }) {
                        throw CommandError.framesExist(framesDir)
                    }
                }
            } else {
                let parent = URL(fileURLWithPath: framesDir).deletingLastPathComponent().path
                if FileManager.default.fileExists(atPath: parent) { try Self.checkWritable(parent) }
            }
        }
        self.mp4 = mp4
        self.framesDir = framesDir
        self.encoder = encoder
    }

    /// A read-only folder (or file system) is found before the first frame, not after it.
    static func checkWritable(_ dir: String) throws {
        if access(dir, W_OK) != 0 {
            throw CommandError.outputDirectoryNotWritable(dir, reason: String(cString: strerror(errno)))
        }
    }

    /// The output that names the checkpoint and the settings file: the MP4, else the frame folder.
    var primary: String { mp4 ?? framesDir ?? "" }

    /// The resolved settings, beside the output: out.mp4.json (or frames.json for a frame folder).
    var settingsPath: String {
        var p = primary
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p + ".json"
    }

    var summary: String {
        [mp4, framesDir.map { "\($0)/frame_*.png" }].compactMap { $0 }.joined(separator: " and ")
    }

    /// `framesDone` > 0 continues an interrupted render: the MP4 copies the one that render finished,
    /// and the frame files are numbered on from there.
    func open(frames: Int, framesDone: Int = 0) throws -> FanOutSink {
        var sinks: [FrameSink] = []
        // The MP4 first: it checks the encoder options before touching the disk, and if the frame
        // folder then fails the MP4's temporary is removed, so a mistake leaves no empty folder or file.
        if let mp4 {
            let sink = try MP4Sink(path: mp4, options: encoder, continuing: framesDone > 0 ? mp4 : nil)
            if sink.previousFrames != framesDone {
                sink.cancel()
                throw CommandError.resumeVideoMismatch(video: mp4, holds: sink.previousFrames, expected: framesDone)
            }
            sinks.append(sink)
        }
        if let framesDir {
            sinks.append(try PNGSequenceSink(directory: framesDir, startIndex: framesDone + 1, lastIndex: frames))
        }
        return FanOutSink(sinks)
    }

    /// Removes every temporary a sink may have open (the MP4's, a frame being written): what a
    /// second Ctrl-C does before ending the process at once. Only unlink(2): safe from any thread.
    func removeTemporaries() {
        if let mp4 { unlink(partialPath(for: mp4)) }
        if let framesDir, let names = try? FileManager.default.contentsOfDirectory(atPath: framesDir) {
            for n in names where n.hasPrefix(".frame_") && n.hasSuffix(".partial") { unlink(framesDir + "/" + n) }
        }
    }
}

extension Outputs {
    /// Runs a render's frame `loop` on `network` into `sinks`, then finishes them (a finished and a
    /// stopped render both end with complete, playable files), writes the settings beside them and,
    /// for a preview, reports the forecast. Shared by image and video renders.
    func render(on network: Network, into sinks: FanOutSink, settings: RenderSettings, preview: PreviewForecast?,
                progress: ProgressLine, loop: (DreamNetwork) throws -> Void) throws {
        let clock = ContinuousClock(), began = clock.now
        // Frames above 1280x720 are dreamed in tiles: memory then stays under ~3 GB at 1920x1080.
        let timed = TimedNetwork(TiledNetwork(network))
        do {
            try loop(timed)
            try sinks.finish()
        } catch {
            progress.end()
            throw error
        }
        progress.end()
        try settings.write(to: settingsPath)
        preview?.report(total: clock.now - began, network: timed.spent, progress: progress)
    }
}
