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

    /// Opens the sinks, and the temporaries that hold space for the settings record and (for a
    /// render that can be resumed) the checkpoint, so that a disk that fills later cannot lose them.
    /// `framesDone` > 0 continues an interrupted render: the MP4 copies the one that render finished,
    /// and the frame files are numbered on from there.
    func open(frames: Int?, settings: RenderSettings,
              checkpoint: (path: String, state: FrameLoop.State, queued: Int)? = nil) throws -> OpenOutputs {
        let framesDone = checkpoint?.state.framesDone ?? 0
        // A file-size limit (ulimit -f) then fails a write with EFBIG, reported like a full disk,
        // instead of killing the process with SIGXFSZ before anything is kept.
        signal(SIGXFSZ, SIG_IGN)
        // The MP4 first: it checks the encoder options before touching the disk, and if the frame
        // folder then fails the MP4's temporary is removed, so a mistake leaves no empty folder or file.
        var video: MP4Sink?
        if let mp4 {
            let sink = try MP4Sink(path: mp4, options: encoder, continuing: framesDone > 0 ? mp4 : nil)
            if sink.previousFrames != framesDone {
                sink.cancel()
                throw CommandError.resumeVideoMismatch(video: mp4, holds: sink.previousFrames, expected: framesDone)
            }
            video = sink
        }
        let pngs = try framesDir.map { try PNGSequenceSink(directory: $0, startIndex: framesDone + 1, lastIndex: frames ?? 99999) }
        let record: PartialFile
        do { record = try PartialFile(target: settingsPath) } catch {
            video?.cancel()
            throw CommandError.cannotSaveSettings(settingsPath, reason: "\(error)")
        }
        _ = record.reserve(upTo: Int64(settings.json.count) + 4096)
        var held: (file: PartialFile, path: String, state: FrameLoop.State)?
        if let checkpoint {
            let bytes = Checkpoint.sizeBound(settings: settings, width: checkpoint.state.canvas.width,
                                             height: checkpoint.state.canvas.height, queued: checkpoint.queued)
            do { held = (try Checkpoint.reserve(at: checkpoint.path, bytes: bytes), checkpoint.path, checkpoint.state) } catch {
                video?.cancel()
                record.discard()
                throw error
            }
        }
        return OpenOutputs(mp4: video, frames: pngs, total: frames, summary: summary, settings: settings,
                           settingsFile: record, checkpoint: held)
    }
}

extension Outputs {
    /// Runs a render's frame `loop` on `network` into `sinks`, then closes them: a finished, a stopped
    /// and a failed render all end with complete, playable files, the settings beside them and, when
    /// it stopped early, a checkpoint. Returns what the outputs hold and the error that stopped the
    /// loop, if one did. For a complete preview, reports the forecast. Shared by image and video renders.
    func render(on network: Network, into sinks: OpenOutputs, preview: PreviewForecast?,
                progress: ProgressLine, loop: (DreamNetwork) throws -> Bool) -> (OpenOutputs.Outcome, Error?) {
        let clock = ContinuousClock(), began = clock.now
        // Frames above 1280x720 are dreamed in tiles: memory then stays under ~3 GB at 1920x1080.
        let timed = TimedNetwork(TiledNetwork(network))
        var failure: Error?
        var reachedEnd = false
        do { reachedEnd = try loop(timed) } catch { failure = error }
        progress.end()
        let outcome = sinks.closeFromRenderThread(reachedEnd: reachedEnd)
        if outcome.problems.isEmpty && outcome.complete {
            preview?.report(total: clock.now - began, network: timed.spent, progress: progress)
        }
        return (outcome, failure)
    }
}
