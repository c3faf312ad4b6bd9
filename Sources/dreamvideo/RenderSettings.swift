import Foundation
import FrameLoop
import Net

/// Everything that decides a render's frames, fully resolved (every default filled in): written
/// beside the output as JSON and into the MP4's metadata so that anyone can reproduce the video,
/// and kept in a checkpoint so that `--resume` continues only the render that was started.
struct RenderSettings: Codable, Equatable {
    var program = "dreamvideo"
    var version: String
    /// The command line as typed (without --resume/--overwrite), the shortest way to run it again.
    var command: [String]
    var input: String
    var inputSHA256: String
    var size: String
    var model: String
    /// As recorded beside the weights by `make models` (nil for weights fetched before checksums existed).
    var modelSHA256: String?
    var backend: String
    /// f32 or bf16: bf16 dreams look the same but are not the same numbers.
    var precision: String
    /// Part of the result: the same seed with another thread count may round differently.
    var threads: Int
    var seed: UInt64
    var mp4: String?
    var framesDir: String?
    var encoder: Encoder?
    /// The pictures behind --palette and --guide, by content.
    var paletteSHA256: String?
    var guideSHA256: String?
    /// Itself a schedule file: `--schedule` can read this object back.
    var schedule: ScheduleRecord
    /// For a video input: how each frame carries the previous dream (nil for a still image).
    var videoInput: VideoInput?

    struct VideoInput: Codable, Equatable {
        var carry: Double
        var flow: Bool
        var audio: Bool
        /// The output's frame rate as a fraction (the source's unless --fps).
        var frameRate: String
    }

    struct Encoder: Codable, Equatable {
        var codec: String
        var crf: Int
        var preset: String
        var fps: Int
        /// "420" or "444" (absent in settings written before --chroma: 420).
        var chroma: String?
    }

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return e
    }

    var json: Data { (try? Self.encoder().encode(self)) ?? Data() }

    /// One line, for the MP4's comment tag.
    var compactJSON: String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// The first setting that differs between a checkpoint's render and this one, as (key, then, now);
    /// nil when the two make the same frames. The command line and the input's path may differ
    /// (a resume adds --resume; the input may be reached by another path): the input's hash may not.
    func firstDifference(from earlier: RenderSettings) -> (key: String, then: String, now: String)? {
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
}

/// What `--resume` needs: the settings of the render that was stopped and the loop's state after
/// the last frame its outputs hold. One JSON file beside the output (the canvas as raw Float32,
/// base64); written whole to a temporary and renamed, so it is never half there.
struct Checkpoint: Codable {
    var format = 1
    var settings: RenderSettings
    var totalFrames: Int
    var state: FrameLoop.State

    static func path(forOutput primary: String) -> String {
        var p = primary
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p + ".checkpoint"
    }

    func save(to path: String) throws {
        do {
            try JSONEncoder().encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandError.cannotSaveCheckpoint(path, reason: error.localizedDescription)
        }
    }

    static func load(from path: String) throws -> Checkpoint {
        guard FileManager.default.fileExists(atPath: path) else { throw CommandError.noCheckpoint(path) }
        do {
            let cp = try JSONDecoder().decode(Checkpoint.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            guard cp.format == 1 else { throw CommandError.badCheckpoint(path, reason: "format \(cp.format) is not 1") }
            return cp
        } catch let e as CommandError {
            throw e
        } catch {
            throw CommandError.badCheckpoint(path, reason: "cannot be read")
        }
    }
}

extension RenderSettings {
    /// The settings of a render the command `c` describes; `fps` is the output's (nil: frames only).
    init(command c: Render, size: OutputSize, model: String, store: ModelStore, backend: BackendKind,
         precision: Precision, threads: Int, outputs: Outputs, fps: Int, schedule: Schedule) {
        let modelHash = (try? store.checksumURL(of: model)).flatMap { try? String(contentsOf: $0, encoding: .utf8) }
        self.init(
            version: Render.configuration.version,
            command: Array(CommandLine.arguments.dropFirst()).filter { $0 != "--resume" && $0 != "--overwrite" },
            input: c.input, inputSHA256: Self.sha256(ofFile: c.input),
            size: "\(size.width)x\(size.height)", model: model,
            modelSHA256: modelHash?.split(separator: " ").first.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) },
            backend: backend.rawValue, precision: precision.rawValue, threads: threads, seed: c.seed,
            mp4: outputs.mp4, framesDir: outputs.framesDir,
            encoder: outputs.mp4 == nil ? nil : .init(codec: c.codec, crf: c.crf, preset: c.preset, fps: fps, chroma: c.chroma),
            paletteSHA256: c.palette.map(Self.sha256(ofFile:)), guideSHA256: c.guide.map(Self.sha256(ofFile:)),
            schedule: ScheduleRecord(schedule, model: model))
    }

    /// The picture files were decoded before, so they are readable; the hash identifies their content.
    private static func sha256(ofFile path: String) -> String {
        SHA256.hex((try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data())
    }

    /// Beside the outputs, so that anyone can see and repeat how the video was made.
    func write(to path: String) throws {
        do {
            try json.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandError.cannotSaveCheckpoint(path, reason: error.localizedDescription)
        }
    }
}
