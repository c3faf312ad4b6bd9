import Foundation
import Media
import Net
import Schedule

/// What a render was asked for: the parsed option values as plain Swift values, filled by the command
/// (`RenderCommand.request`) or directly by a test. Every check of them is the library's (the plans'
/// inits), so a mistake gives the same one line whoever asked.
public struct RenderRequest {
    /// The start image, or a video to dream frame by frame.
    public var input: String
    /// A schedule file or a preset name.
    public var schedule = "layers"
    /// -o (nil: <input>-dream.mp4 unless framesDir).
    public var output: String?
    public var framesDir: String?
    /// --size (nil: from the input).
    public var size: OutputSize?
    public var model: String?
    public var fps: Int?
    public var crf = MP4Sink.Options().crf
    public var preset = MP4Sink.Options().preset
    public var codec = MP4Sink.Options().codec
    public var chroma = MP4Sink.Chroma.yuv420
    public var seed: UInt64 = 0
    /// --threads (nil: every core, at most 256), --precision, --backend.
    public var threads: Int?
    public var precision = Precision.f32
    public var backend = BackendKind.onednn
    public var palette: String?
    public var guide: String?
    public var overwrite = false
    public var resume = false
    public var profile = false
    /// The shortcuts that override every segment of the schedule (--layer, --frames, --zoom ...).
    public var overrides = Overrides()
    /// --mask and --loop (a still image).
    public var mask: String?
    public var loop = false
    /// --music and --music-plot (a still image).
    public var music: String?
    public var musicPlot: String?
    /// --carry, --flow (true: on, the dream follows the video's motion; nil: not given, on) and --audio (a video input).
    public var carry: Double?
    public var flow: Bool?
    public var audio = false
    /// --preview.
    public var preview = false
    /// The command line as typed, without the program's name: recorded in the settings so that the
    /// render can be repeated, and said (with --resume) when it stops.
    public var commandLine: [String] = Array(CommandLine.arguments.dropFirst())
    /// The program's version, for the settings record.
    public var version = "0.1.0"

    public init(input: String) { self.input = input }
}

extension RenderRequest {
    /// The files a render reads besides its input, as the user named them: none may be an output.
    /// The schedule was located before (a preset's file is read too, so it is kept as well).
    public func readFiles() throws -> [ReadFile] {
        [ReadFile(option: "--schedule", path: try PresetLocator().locate(schedule).path)]
            + [palette.map { ReadFile(option: "--palette", path: $0) }, guide.map { ReadFile(option: "--guide", path: $0) },
               mask.map { ReadFile(option: "--mask", path: $0) },
               music.map { ReadFile(option: "--music", path: $0) }]
            .compactMap { $0 }
    }

    /// These options ask for something a still image cannot give: say so rather than ignore them.
    public func refuseVideoOptionsForImage() throws {
        if carry != nil { throw RequestError.onlyForVideo("--carry") }
        if flow != nil { throw RequestError.onlyForVideo("--flow") }
        if audio { throw RequestError.onlyForVideo("--audio") }
    }

    /// --flow: whether the previous dream follows the video's motion (default on).
    public var followsMotion: Bool { flow ?? true }
}
