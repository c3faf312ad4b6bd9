extension MP4Sink {
    /// Encoder settings. `crf` is the constant-quality level (lower is better: 18 looks lossless to
    /// most eyes with x264); `threads` 0 lets the encoder choose.
    public struct Options: Sendable, Equatable {
        /// Frames per second, as fps / fpsDenominator (30000/1001 keeps an NTSC source's rate exactly).
        public var fps: Int
        public var fpsDenominator: Int = 1
        public var crf: Int
        public var preset: String
        public var codec: String
        public var threads: Int
        /// Container tags (e.g. "comment"), written into the MP4's metadata.
        public var metadata: [String: String]
        /// How much colour the file keeps: 4:2:0 (one chroma sample per 2x2 pixels; what browsers and
        /// phones play) or 4:4:4 (every pixel's colour; H.264 High 4:4:4, 10-bit with libx265).
        public var chroma: Chroma = .yuv420
        /// A video or audio file whose audio stream is copied into the MP4 (packets as they are, no
        /// re-encoding), aligned with that file's first video frame and cut at this video's end.
        public var audioSource: String?
        /// Decoded sound (`--music`) encoded to AAC into the MP4 from time zero, cut at the video's end.
        public var music: DecodedAudio?

        public init(fps: Int = 30, crf: Int = 18, preset: String = "medium", codec: String = "libx264", threads: Int = 0,
                    metadata: [String: String] = [:]) {
            self.fps = fps; self.crf = crf; self.preset = preset; self.codec = codec; self.threads = threads
            self.metadata = metadata
        }
    }

    /// Chroma subsampling of the encoded video.
    public enum Chroma: String, Sendable, Equatable, CaseIterable {
        case yuv420 = "420", yuv444 = "444"
    }

    /// Codecs this sink knows how to drive, with their CRF ranges.
    public static let codecs = ["libx264", "libx265", "libvpx-vp9"]
    /// x264/x265 preset names; for VP9 they map onto cpu-used (see `vp9CpuUsed`).
    public static let presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium",
                                 "slow", "slower", "veryslow", "placebo"]

    static func maxCRF(_ codec: String) -> Int { codec == "libvpx-vp9" ? 63 : 51 }

    /// libvpx has no presets; its speed knob is cpu-used (0 slowest/best .. 8 fastest). Same order as `presets`.
    static func vp9CpuUsed(_ preset: String) -> Int {
        let i = presets.firstIndex(of: preset) ?? 5
        return max(0, 8 - i)
    }

    /// Throws the first problem with `options`, before any file is touched.
    static func validate(_ o: Options) throws {
        guard codecs.contains(o.codec) else { throw MP4SinkError.unknownCodec(o.codec, valid: codecs) }
        guard presets.contains(o.preset) else { throw MP4SinkError.unknownPreset(o.preset, valid: presets) }
        guard o.fpsDenominator >= 1, o.fps >= 1, o.fps <= 1000 * o.fpsDenominator, o.fps <= Int(Int32.max) else {
            let rate = o.fpsDenominator == 1 ? "\(o.fps)" : "\(o.fps)/\(o.fpsDenominator)"
            throw MP4SinkError.invalidOption("fps must be 1...1000, got \(rate)")
        }
        let top = maxCRF(o.codec)
        guard (0...top).contains(o.crf) else {
            throw MP4SinkError.invalidOption("crf for \(o.codec) must be 0...\(top), got \(o.crf)")
        }
        guard (0...64).contains(o.threads) else {
            throw MP4SinkError.invalidOption("threads must be 0 (automatic) ... 64, got \(o.threads)")
        }
    }
}
