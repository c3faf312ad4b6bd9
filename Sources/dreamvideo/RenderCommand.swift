import ArgumentParser
import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Render
import Schedule

/// The command: dream a still image into a zooming video (started by DreamVideo.main).
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dreamvideo",
        abstract: "Turn a still image into a DeepDream zoom video: an MP4 and/or a numbered PNG sequence.",
        usage: "dreamvideo <input> [<options>]   (figures of a render: dreamvideo metrics <video>)",
        discussion: """
        A real ImageNet-trained network dreams on the picture (gradient ascent on the image to amplify \
        what a chosen layer sees); the frame is then zoomed about its centre, cropped, and dreamed again. \
        A schedule walks the layers: low layers paint edges and lines, middle ones circles and eyes, \
        high ones animal parts.

        A video as INPUT (MP4, MKV, WebM, MOV... recognised by its content) is dreamed frame by frame: \
        each frame starts from the source frame blended with the previous dreamed frame moved by the \
        video's own motion (see --carry, --flow), so the dream does not flicker. The schedule then gives \
        only the dream (layers by frame number, octaves, steps, colour coherence); its camera moves, \
        cadence and sharpening do not apply (the video's motion is the motion). The video's length sets \
        the frame count (a shorter schedule's last segment continues); the output keeps the source's \
        frame rate and size unless --fps or --size are given. --resume does not apply to a video input.

        Examples:
          dreamvideo logo.png -o out.mp4
          dreamvideo logo.png --schedule quick -o quick.mp4
          dreamvideo logo.png --music song.mp3 --music-plot plot.png -o dance.mp4
          dreamvideo logo.png --frames 60 --size 480x270 -o loop.webp
          dreamvideo photo.jpg --layer mixed_4 --frames 90 --frames-dir frames/
          dreamvideo clip.mp4 --layer mixed_3 --audio -o dreamed.mp4
          dreamvideo logo.png --preview           # quick look: logo-dream-preview.mp4
          dreamvideo metrics out.mp4
        """,
        version: "0.1.0",
        subcommands: [BenchCommand.self, MetricsCommand.self, ModelsCommand.self, LayersCommand.self, DreamCommand.self, GalleryCommand.self]
    )

    @Argument(help: "The start image (PNG or JPEG), or a video to dream frame by frame (anything FFmpeg reads).")
    var input: String

    @Option(name: .long, help: ArgumentHelp(
        "A JSON schedule: a path, or the name of a preset in presets/ (layers, spiral, zoomout, classic, quick, demo).",
        valueName: "file"))
    var schedule: String = "layers"

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp(
        "The video to write, by its extension: .mp4 (H.264), .webp (animated WebP) or .gif (one palette for the clip, dithered); WebP and GIF loop forever. Default: <input name>-dream.mp4 unless --frames-dir is given.",
        valueName: "out.mp4"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp(
        "Also (or instead) write the frames as DIR/frame_00001.png, frame_00002.png, ...", valueName: "dir"))
    var framesDir: String?

    @Option(name: .long, help: ArgumentHelp(
        "Output size WxH. Default: the input's size, made even.", valueName: "WxH"), transform: { try OutputSize(parsing: $0) })
    var size: OutputSize?

    @Option(name: .long, help: ArgumentHelp(
        "The network: inception_v3, squeezenet1_1, vgg19 or mobilenet_v2. Default: the schedule's model, else inception_v3.",
        valueName: "name"))
    var model: String?

    @Option(name: .long, help: "Frames per second of the MP4. Default: 30, or a video input's own rate.")
    var fps: Int?

    @Option(name: .long, help: "H.264 quality: 0 (lossless) ... 51 (worst); 18 looks lossless to most eyes.")
    var crf: Int = MP4Sink.Options().crf

    @Option(name: .long, help: "x264 preset: ultrafast ... veryslow (slower: smaller file).")
    var preset: String = MP4Sink.Options().preset

    @Option(name: .long, help: "Video codec: libx264 (H.264, plays everywhere), libx265 or libvpx-vp9.")
    var codec: String = MP4Sink.Options().codec

    @Option(name: .long, help: ArgumentHelp(
        "Chroma of the MP4: 420 (plays everywhere: browsers, phones) or 444 (every pixel's colour, H.264 High 4:4:4 or 10-bit with libx265; for editing and archiving, players vary).",
        valueName: "420|444"))
    var chroma: MP4Sink.Chroma = .yuv420

    @Option(name: .long, help: "Seed of the random jitter: the same seed, settings and input give the same video.")
    var seed: UInt64 = 0

    @OptionGroup var engine: EngineOptions

    @Option(name: .long, help: ArgumentHelp(
        "onednn (fast) or reference (plain Swift, slow; for checking).", valueName: "engine"))
    var backend: BackendKind = .onednn

    @Option(name: .long, help: ArgumentHelp(
        "Colour coherence pulls the frames toward this picture's colours instead of the start image's.", valueName: "image"))
    var palette: String?

    @Option(name: .long, help: ArgumentHelp(
        "Dream toward this picture's features: each layer amplifies the channels this image excites most.", valueName: "image"))
    var guide: String?

    @Flag(name: .long, help: "Replace the output MP4 if it exists.")
    var overwrite = false

    @Flag(name: .long, help: ArgumentHelp(
        "Continue a render stopped by Ctrl-C: run the same command again with --resume.",
        discussion: "Ctrl-C (or SIGTERM) stops after the frame in progress, finishes the MP4 with every frame done, and saves OUT.mp4.checkpoint."))
    var resume = false

    @Flag(name: .long, help: "At the end, print where each frame's time went: network, dream, resample, sharpen, colour, encode, PNG, and idle cores.")
    var profile = false

    @OptionGroup(title: "Shortcuts that override the schedule")
    var shortcuts: Shortcuts

    @OptionGroup(title: "Masks and loops (a still image)")
    var maskLoop: MaskLoopOptions
    @OptionGroup(title: "Music")
    var musicOptions: MusicOptions

    @OptionGroup(title: "A video as input")
    var video: VideoInputOptions

    @OptionGroup(title: "A quick look first")
    var previewOptions: PreviewOptions

    /// Options that do not go together, refused before anything is read.
    func validate() throws {
    }

    mutating func run() throws {
        try reportingErrors { try render(request) }
    }

    /// The options as plain values: what Render's plans set a render up from.
    var request: RenderRequest {
        var r = RenderRequest(input: input)
        r.schedule = schedule; r.output = output; r.framesDir = framesDir; r.size = size; r.model = model
        r.fps = fps; r.crf = crf; r.preset = preset; r.codec = codec; r.chroma = chroma; r.seed = seed
        r.threads = engine.resolvedThreads(); r.precision = engine.precision; r.backend = backend
        r.palette = palette; r.guide = guide; r.overwrite = overwrite; r.resume = resume; r.profile = profile
        r.overrides = shortcuts.overrides
        r.mask = maskLoop.mask; r.loop = maskLoop.loop
        r.music = musicOptions.music; r.musicPlot = musicOptions.musicPlot
        r.carry = video.carry; r.flow = video.flow.map { $0 == .on }; r.audio = video.audio
        r.preview = previewOptions.preview
        r.version = Self.configuration.version
        return r
    }

    private func render(_ r: RenderRequest) throws {
        switch try r.plan() {
        case .still(let plan): try plan.run()
        case .video(let plan): try plan.run()
        }
    }
}

/// Command-line shortcuts; each overrides every segment of the schedule.
struct Shortcuts: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Dream this one layer (a one-segment schedule), e.g. mixed_3.", valueName: "name"))
    var layer: String?

    @Option(name: .long, help: "Frame count for --layer (default: the schedule's length); with a schedule, stop after this many frames.")
    var frames: Int?

    @OptionGroup var octave: OctaveOptions

    @Option(name: .long, help: "Zoom per frame about the centre: 1.05 = 5% closer each frame, below 1 zooms out. Default: the schedule's (1.05).")
    var zoom: Double?

    @Option(name: .long, help: "Colour coherence 0...1: how far each frame's colours are pulled toward the start image's (or --palette's); 0 turns it off. Default: the schedule's (0.3).")
    var colourCoherence: Double?

    @Option(name: .long, help: "Unsharp mask after each camera move, 0...3; 0 turns it off. Default: the schedule's (0).")
    var sharpen: Double?

    @Option(name: .long, help: "Dream every Nth frame; the frames between are the camera's motion fading into the next dreamed frame. Default: the schedule's (1).")
    var cadence: Int?

    var overrides: Overrides {
        var o = octave.applied(to: Overrides(layer: layer, frames: frames, zoom: zoom))
        o.colourCoherence = colourCoherence; o.sharpen = sharpen; o.cadence = cadence
        return o
    }
}
