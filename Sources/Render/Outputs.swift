import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Schedule

/// Where the frames go: an MP4, a PNG sequence, or both. Checked before the render starts.
///
/// Nothing a user owns is replaced: no output may be one of the files the render reads (compared by
/// device and inode), and the files written beside the output (the settings record, the checkpoint,
/// the frame files) replace only files recognisably dreamvideo's own, and those only with --overwrite
/// (or --resume, which continues them).
public struct Outputs {
    public var mp4: String?
    public var framesDir: String?
    public var encoder: MP4Sink.Options
    /// --overwrite: our own earlier outputs are replaced, and an earlier render's frames beyond this
    /// one's count are removed (`removeStaleFrames`).
    public var overwrite = false

    /// `reads`: the files the render reads besides `input` (--schedule, --palette, --guide); `size`:
    /// the frames' size, which bounds what a checkpoint beside the output can hold.
    /// `resume`: the MP4 of the interrupted render is expected to exist (it is continued, not replaced).
    public init(mp4: String?, framesDir: String?, input: String, reads: [ReadFile] = [], size: OutputSize,
         overwrite: Bool, encoder: MP4Sink.Options, resume: Bool = false) throws {
        var mp4 = mp4
        if mp4 == nil && framesDir == nil {
            let stem = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
            mp4 = stem + "-dream.mp4"
        }
        self.mp4 = mp4
        self.framesDir = framesDir
        self.encoder = encoder
        self.overwrite = overwrite
        let fm = FileManager.default
        let choose = mp4 == nil ? "--frames-dir" : "-o"
        let reads = [ReadFile(option: "the input", path: input)] + reads
        let keeps = overwrite || resume

        if let path = mp4 {
            // Not NSString.deletingLastPathComponent: corelibs Foundation traps on a one-character path ("-o a").
            let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue {
                throw RequestError.outputIsDirectory(path)
            }
            if !dir.isEmpty && !(fm.fileExists(atPath: dir, isDirectory: &isDir) && isDir.boolValue) {
                throw RequestError.outputDirectoryMissing(dir)
            }
            try Self.checkWritable(dir.isEmpty ? "." : dir)
            try reads.refuse(WrittenPath(what: "-o", path: path, choose: "-o"))
        }
        if let framesDir {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: framesDir, isDirectory: &isDir) {
                guard isDir.boolValue else { throw RequestError.framesDirIsFile(framesDir) }
                try Self.checkWritable(framesDir)
                // A folder of frames is a valid video input: never write into the one being read.
                try reads.refuse(WrittenPath(what: "--frames-dir", path: framesDir, choose: "--frames-dir"))
            } else {
                let parent = URL(fileURLWithPath: framesDir).deletingLastPathComponent().path
                if fm.fileExists(atPath: parent) { try Self.checkWritable(parent) }
            }
        }
        let beside = [WrittenPath(what: "the settings record of \(choose) \(primary)", path: settingsPath, choose: choose),
                      WrittenPath(what: "the checkpoint of \(choose) \(primary)", path: Checkpoint.path(forOutput: primary), choose: choose)]
        for written in beside { try reads.refuse(written) }
        let frames = try framesDir.map { try Self.frameFiles(in: $0) } ?? []
        for frame in frames {
            try reads.refuse(WrittenPath(what: "a frame of --frames-dir \(framesDir ?? "")", path: frame.path, choose: "--frames-dir"))
        }

        // An interrupted render's checkpoint is not an ordinary existing file: say how to continue it
        // (before saying that its video exists). With --resume, Checkpoint.load reads it (and says
        // what it is if it is not ours).
        let checkpoint = beside[1].path
        if !resume {
            switch Checkpoint.recognise(checkpoint, width: size.width, height: size.height) {
            case .absent: break
            case .notOurs(let why): throw RequestError.notOurs(checkpoint, reason: why, choose: choose)
            case .ours: if !overwrite { throw RequestError.checkpointExists(checkpoint) }
            }
        }
        if let path = mp4, fm.fileExists(atPath: path), !keeps { throw RequestError.outputExists(path) }
        switch RenderSettings.recognise(settingsPath) {
        case .absent: break
        case .notOurs(let why): throw RequestError.notOurs(settingsPath, reason: why, choose: choose)
        case .ours: if !keeps { throw RequestError.settingsExist(settingsPath, choose: choose) }
        }
        if let framesDir, !frames.isEmpty {
            if let odd = frames.first(where: { !$0.isRegularFile }) {
                throw RequestError.notOurs(odd.path, reason: "is not a frame file dreamvideo wrote (not a regular file)",
                                           choose: "--frames-dir")
            }
            if !keeps { throw RequestError.framesExist(framesDir) }
        }
    }

    /// A file in a frame folder with a name this program gives its frames (frame_00001.png ...).
    public struct FrameFile {
        public var path: String
        public var number: Int
        public var isRegularFile: Bool
    }

    /// The entries of `dir` named like our frames (lstat: a symlink is not a regular file).
    public static func frameFiles(in dir: String) throws -> [FrameFile] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else { return [] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: dir)
        } catch {
            throw RequestError.outputDirectoryNotWritable(dir, reason: "its files cannot be listed")
        }
        return names.compactMap { name in
            guard let n = PNGSequenceSink.frameNumber(ofName: name) else { return nil }
            let path = dir + "/" + name
            var st = stat()
            let regular = lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFREG
            return FrameFile(path: path, number: n, isRegularFile: regular)
        }.sorted { $0.number < $1.number }
    }

    /// With --overwrite, before the render writes: removes the frames of an earlier render numbered
    /// beyond this one's `count` (all of them when the count is not known in advance, as for a video
    /// whose length its container does not give), so the folder ends up holding this render's frames
    /// alone. Only regular files with our exact frame names are removed, never anything else.
    public func removeStaleFrames(beyond count: Int?) throws {
        guard overwrite, let framesDir else { return }
        for frame in try Self.frameFiles(in: framesDir) where frame.isRegularFile && frame.number > (count ?? 0) {
            if unlink(frame.path) != 0 && errno != ENOENT {
                throw RequestError.outputDirectoryNotWritable(framesDir, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// A read-only folder (or file system) is found before the first frame, not after it.
    public static func checkWritable(_ dir: String) throws {
        if access(dir, W_OK) != 0 {
            throw RequestError.outputDirectoryNotWritable(dir, reason: String(cString: strerror(errno)))
        }
    }

    /// The output that names the checkpoint and the settings file: the MP4, else the frame folder.
    public var primary: String { mp4 ?? framesDir ?? "" }

    /// The resolved settings, beside the output: out.mp4.json (or frames.json for a frame folder).
    public var settingsPath: String {
        var p = primary
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p + ".json"
    }

    public var summary: String {
        [mp4, framesDir.map { "\($0)/frame_*.png" }].compactMap { $0 }.joined(separator: " and ")
    }

    /// Opens the sinks, and the temporaries that hold space for the settings record and (for a
    /// render that can be resumed) the checkpoint, so that a disk that fills later cannot lose them.
    /// `framesDone` > 0 continues an interrupted render: the MP4 copies the one that render finished,
    /// and the frame files are numbered on from there.
    public func open(frames: Int?, settings: RenderSettings,
              checkpoint: (path: String, state: ZoomLoop.State, queued: Int)? = nil) throws -> OpenOutputs {
        let framesDone = checkpoint?.state.framesDone ?? 0
        // A file-size limit (ulimit -f) then fails a write with EFBIG, reported like a full disk,
        // instead of killing the process with SIGXFSZ before anything is kept.
        signal(SIGXFSZ, SIG_IGN)
        // The MP4 first: it checks the encoder options before touching the disk, and if the frame
        // folder then fails the MP4's temporary is removed, so a mistake leaves no empty folder or file.
        var video: MP4Sink?
        var animated: AnimatedSink?
        if let mp4, let format = animation {
            animated = try AnimatedSink(path: mp4, format: format, fps: encoder.fps, fpsDenominator: encoder.fpsDenominator)
        } else if let mp4 {
            let sink: MP4Sink
            do {
                sink = try MP4Sink(path: mp4, options: encoder, continuing: framesDone > 0 ? mp4 : nil)
            } catch let MP4SinkError.cannotContinue(previous, reason) {
                // Said as what the user asked for (--resume); Media does not know the option.
                throw RequestError.cannotContinueVideo(previous, reason: reason)
            }
            if sink.previousFrames != framesDone {
                sink.cancel()
                throw RequestError.resumeVideoMismatch(video: mp4, holds: sink.previousFrames, expected: framesDone)
            }
            video = sink
        }
        let pngs = try framesDir.map { try PNGSequenceSink(directory: $0, startIndex: framesDone + 1, lastIndex: frames ?? 99999) }
        let record: PartialFile
        do { record = try PartialFile(target: settingsPath) } catch {
            video?.cancel(); animated?.cancel()
            throw RequestError.cannotSaveSettings(settingsPath, reason: "\(error)")
        }
        _ = record.reserve(upTo: Int64(settings.json.count) + 4096)
        var held: (file: PartialFile, path: String, state: ZoomLoop.State)?
        if let checkpoint {
            let bytes = Checkpoint.sizeBound(settings: settings, width: checkpoint.state.canvas.width,
                                             height: checkpoint.state.canvas.height, queued: checkpoint.queued)
            do { held = (try Checkpoint.reserve(at: checkpoint.path, bytes: bytes), checkpoint.path, checkpoint.state) } catch {
                video?.cancel(); animated?.cancel()
                record.discard()
                throw error
            }
        }
        return OpenOutputs(mp4: video, frames: pngs, total: frames, summary: summary, settings: settings,
                           settingsFile: record, checkpoint: held, animated: animated)
    }
}
