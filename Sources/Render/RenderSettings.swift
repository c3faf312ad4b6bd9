import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Schedule

/// Everything that decides a render's frames, fully resolved (every default filled in): written
/// beside the output as JSON and into the MP4's metadata so that anyone can reproduce the video,
/// and kept in a checkpoint so that `--resume` continues only the render that was started.
public struct RenderSettings: Codable, Equatable {
    public var program = "dreamvideo"
    public var version: String
    /// The command line as typed (without --resume/--overwrite), the shortest way to run it again.
    public var command: [String]
    public var input: String
    public var inputSHA256: String
    public var size: String
    public var model: String
    /// As recorded beside the weights by `make models` (nil for weights fetched before checksums existed).
    public var modelSHA256: String?
    public var backend: String
    /// f32 or bf16: bf16 dreams look the same but are not the same numbers.
    public var precision: String
    /// Part of the result: the same seed with another thread count may round differently.
    public var threads: Int
    public var seed: UInt64
    public var mp4: String?
    public var framesDir: String?
    public var encoder: Encoder?
    /// The pictures behind --palette and --guide, by content.
    public var paletteSHA256: String?
    public var guideSHA256: String?
    /// Itself a schedule file: `--schedule` can read this object back.
    public var schedule: ScheduleRecord
    /// For a video input: how each frame carries the previous dream (nil for a still image).
    public var videoInput: VideoInput?
    /// --mask's picture by content, and --loop (both absent when not given).
    public var maskSHA256: String?
    public var loop: Bool?
    /// --music: the sound that set the frame count and drove the schedule's music bindings.
    public var music: Music?

    public struct VideoInput: Codable, Equatable {
        public var carry: Double
        public var flow: Bool
        public var audio: Bool
        /// The output's frame rate as a fraction (the source's unless --fps).
        public var frameRate: String
    }

    public struct Encoder: Codable, Equatable {
        public var codec: String
        public var crf: Int
        public var preset: String
        public var fps: Int
        /// "420" or "444" (absent in settings written before --chroma: 420).
        public var chroma: String?
    }

    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return e
    }

    public var json: Data { (try? Self.encoder().encode(self)) ?? Data() }

    /// One line, for the MP4's comment tag.
    public var compactJSON: String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// The first setting that differs between a checkpoint's render and this one, as (key, then, now);
    /// nil when the two make the same frames. The command line and the input's path may differ
    /// (a resume adds --resume; the input may be reached by another path): the input's hash may not.
    public func firstDifference(from earlier: RenderSettings) -> (key: String, then: String, now: String)? {
        func flat(_ s: RenderSettings) -> [String: String] {
            var s = s
            s.command = []; s.input = ""
            guard let obj = try? JSONSerialization.jsonObject(with: (try? JSONEncoder().encode(s)) ?? Data()) as? [String: Any] else { return [:] }
            var out: [String: String] = [:]
            func walk(_ v: Any, _ key: String) {
                if let d = v as? [String: Any] { for (k, x) in d { walk(x, key.isEmpty ? k : key + "." + k) } }
                else if let a = v as? [Any] { for (i, x) in a.enumerated() { walk(x, "\(key)[\(i)]") } }
                else { out[key] = "\(v)" }
            }
            walk(obj, "")
            return out
        }
        let a = flat(earlier), b = flat(self)
        for key in Set(a.keys).union(b.keys).sorted() where a[key] != b[key] {
            return (key, a[key] ?? "(none)", b[key] ?? "(none)")
        }
        return nil
    }

    /// What the user gave that a key of `firstDifference` records, in the command's own words.
    public static func setting(_ key: String) -> String {
        let top = String(key.prefix { $0 != "." && $0 != "[" })
        switch top {
        case "inputSHA256": return "the input's content"
        case "size": return "--size, or the input's size"
        case "model": return "--model, or the schedule's model"
        case "modelSHA256": return "the model's weights"
        case "threads": return "--threads"
        case "seed": return "--seed"
        case "backend": return "--backend"
        case "precision": return "--precision"
        case "paletteSHA256": return "--palette's content"
        case "guideSHA256": return "--guide's content"
        case "maskSHA256": return "--mask's content"
        case "loop": return "--loop"
        case "schedule": return "the schedule, or an option that overrides it"
        case "mp4", "framesDir": return "the outputs (-o, --frames-dir)"
        case "encoder":
            let field = key.split(separator: ".").last.map(String.init) ?? ""
            return ["codec", "crf", "preset", "fps"].contains(field) ? "--\(field)" : "the encoder"
        case "videoInput": return "the video options"
        case "music": return "--music's content"
        default: return "a setting"
        }
    }
}

/// What `--resume` needs: the settings of the render that was stopped and the loop's state after
/// the last frame its outputs hold. One JSON file beside the output (the canvas as raw Float32,
/// base64); written whole to a temporary and renamed, so it is never half there.
public struct Checkpoint: Codable {
    public var format = 1
    public var settings: RenderSettings
    public var totalFrames: Int
    public var state: ZoomLoop.State

    public init(settings: RenderSettings, totalFrames: Int, state: ZoomLoop.State) {
        self.settings = settings; self.totalFrames = totalFrames; self.state = state
    }

    public static func path(forOutput primary: String) -> String {
        var p = primary
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p + ".checkpoint"
    }

    /// The checkpoint's bytes: slashes in the base64 canvas left as they are, so that `sizeBound` holds.
    public func encoded() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return try e.encode(self)
    }

    /// The most a checkpoint of this render can take: the canvas and up to `queued` waiting frames as
    /// base64 Float32 (4 characters per 3 bytes), the settings (escaping can double a character),
    /// and room for the random state, the colour statistics and the keys. Known when the render
    /// starts, so its space is held then (`reserve`) and a disk that fills cannot lose it.
    public static func sizeBound(settings: RenderSettings, width: Int, height: Int, queued: Int) -> Int64 {
        let pixels = Int64(3 * 4) * Int64(width) * Int64(height)
        let image = (pixels + 2) / 3 * 4 + 128
        return Int64(1 + queued) * image + 2 * Int64(settings.json.count) + 64 * 1024
    }

    /// The temporary a checkpoint will be written into, created now with `bytes` held for it.
    public static func reserve(at path: String, bytes: Int64) throws -> PartialFile {
        let file: PartialFile
        do { file = try PartialFile(target: path) } catch {
            throw RequestError.cannotSaveCheckpoint(path, reason: "\(error)")
        }
        if let e = file.reserve(upTo: bytes), e != EOPNOTSUPP && e != ENOSYS {
            file.discard()
            throw RequestError.noRoomForCheckpoint(path, bytes: bytes, reason: String(cString: strerror(e)))
        }
        return file
    }

    /// Writes the checkpoint into `file` (reserved by `reserve`) and renames it onto its path.
    public func save(into file: PartialFile) throws {
        do {
            try file.append(try encoded())
            try file.commit()
        } catch {
            file.discard()
            throw RequestError.cannotSaveCheckpoint(file.target, reason: "\(error)")
        }
    }

    /// The checkpoint at `path`, if it continues the render `settings` describes (`totalFrames` frames
    /// of width x height). Read with a bound (what such a checkpoint can hold), its settings compared
    /// first (a resume with other settings is told which one), then its state decoded with every size
    /// checked against this render's before anything is allocated for it.
    public static func load(from path: String, continuing settings: RenderSettings, width: Int, height: Int,
                     totalFrames: Int) throws -> Checkpoint {
        let choose = settings.mp4 == nil ? "--frames-dir" : "-o"
        let data = try readOwn(path, width: width, height: height, settingsBytes: settings.json.count, choose: choose)
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data)
        } catch {
            throw RequestError.notOurs(path, reason: "is not a checkpoint dreamvideo wrote (\(explain(error)))", choose: choose)
        }
        guard header.format == 1, header.settings.program == "dreamvideo" else {
            throw RequestError.badCheckpoint(path, reason: "is of format \(header.format) from \(header.settings.program), not dreamvideo's format 1")
        }
        if let d = settings.firstDifference(from: header.settings) {
            throw RequestError.resumeMismatch(checkpoint: path, key: d.key, then: d.then, now: d.now)
        }
        guard header.totalFrames == totalFrames else {
            throw RequestError.badCheckpoint(path, reason: "is for \(header.totalFrames) frames where this render makes \(totalFrames)")
        }
        let decoder = JSONDecoder()
        decoder.userInfo[FloatImage.expectedSize] = FloatImage.ExpectedSize(width: width, height: height)
        let cp: Checkpoint
        do {
            cp = try decoder.decode(Checkpoint.self, from: data)
        } catch {
            throw RequestError.badCheckpoint(path, reason: explain(error))
        }
        if let problem = cp.state.problem(continuing: totalFrames, width: width, height: height) {
            throw RequestError.badCheckpoint(path, reason: problem)
        }
        return cp
    }
}

extension RenderSettings {
    /// The settings of a render the request `r` describes; `fps` is the output's (nil: frames only).
    public init(request r: RenderRequest, size: OutputSize, model: String, store: ModelStore, backend: BackendKind,
         precision: Precision, threads: Int, outputs: Outputs, fps: Int, schedule: Schedule) {
        let modelHash = (try? store.checksumURL(of: model)).flatMap { try? String(contentsOf: $0, encoding: .utf8) }
        self.init(
            version: r.version,
            command: r.commandLine.filter { $0 != "--resume" && $0 != "--overwrite" },
            input: r.input, inputSHA256: Self.sha256(ofFile: r.input),
            size: "\(size.width)x\(size.height)", model: model,
            modelSHA256: modelHash?.split(separator: " ").first.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) },
            backend: backend.rawValue, precision: precision.rawValue, threads: threads, seed: r.seed,
            mp4: outputs.mp4, framesDir: outputs.framesDir,
            encoder: outputs.mp4 == nil ? nil : .init(codec: outputs.animation?.encoder ?? r.codec, crf: r.crf, preset: r.preset, fps: fps, chroma: r.chroma.rawValue),
            paletteSHA256: r.palette.map(Self.sha256(ofFile:)), guideSHA256: r.guide.map(Self.sha256(ofFile:)),
            schedule: ScheduleRecord(schedule, model: model),
            maskSHA256: r.mask.map(Self.sha256(ofFile:)), loop: r.loop ? true : nil)
    }

    /// The files were read before, so they are readable; the hash identifies their content. Read in
    /// pieces, never whole: a video input can be gigabytes.
    public static func sha256(ofFile path: String) -> String {
        SHA256.hex(ofFileAt: path) ?? SHA256.hex([UInt8]())
    }

    /// Beside the outputs, so that anyone can see and repeat how the video was made: written into
    /// `file`, a temporary created (and its space held) when the render started, then renamed.
    public func write(into file: PartialFile) throws {
        do {
            try file.append(json)
            try file.commit()
        } catch {
            file.discard()
            throw RequestError.cannotSaveSettings(file.target, reason: "\(error)")
        }
    }
}
