import CFFmpeg
import Foundation
import Imaging

/// Why a video or frame folder could not be read.
public enum VideoReadError: Error, CustomStringConvertible, Equatable {
    case missing(path: String)
    case cannotOpen(path: String, reason: String)
    case noVideoStream(path: String)
    case decoderFailed(path: String, reason: String)
    case noFrames(path: String)
    case emptyFolder(path: String)
    /// A container libavformat recognised but that is not a self-contained video (a playlist, a concat
    /// script, an image-sequence pattern): it could make the reader open other files or URLs.
    case refusedFormat(path: String, format: String)
    /// A FIFO, a device or a socket: reading it could block or never end.
    case notAFile(path: String)
    /// A frame (or the container's header) bigger than the reader takes.
    case frameTooLarge(path: String, frame: Int?, width: Int, height: Int, maxSide: Int, maxPixels: Int)
    case tooManyFrames(path: String, limit: Int)

    public var description: String {
        switch self {
        case let .missing(path):
            return "\(path): no such file or folder; give an MP4 or a folder of PNG/JPEG frames"
        case let .cannotOpen(path, reason):
            return "\(path): cannot open as a video: \(reason); give an MP4 or a folder of frames"
        case let .noVideoStream(path):
            return "\(path): has no video stream; give an MP4 with video in it"
        case let .decoderFailed(path, reason):
            return "\(path): decoding failed: \(reason); re-encode the video with ffmpeg and try again"
        case let .noFrames(path):
            return "\(path): holds no frames; give a folder with frame_00001.png ... or an MP4 with frames"
        case let .emptyFolder(path):
            return "\(path): is a directory that holds no frames (no PNG or JPEG files); give an image, a video, or a directory of frame_00001.png ..."
        case let .refusedFormat(path, format):
            return "\(path): is not a video file but what FFmpeg calls \"\(format)\"; dreamvideo reads only self-contained videos (MP4/MOV, MKV/WebM, AVI, MPEG-TS, ...), because a playlist or a script can make it open other files or URLs; if you trust it, make a video of it first, e.g. ffmpeg -i \(path) -c copy video.mkv"
        case let .notAFile(path):
            return "\(path): is not a regular file (a pipe or a device); save the video to a file and give that"
        case let .frameTooLarge(path, frame, width, height, maxSide, maxPixels):
            let which = frame.map { "frame \($0) is" } ?? "its frames are"
            return "\(path): \(which) \(width)x\(height), larger than dreamvideo reads (each side at most \(maxSide), at most \(maxPixels) pixels for this machine's memory); scale it down first, e.g. ffmpeg -i \(path) -vf scale=1920:-2 smaller.mp4"
        case let .tooManyFrames(path, limit):
            return "\(path): holds more than \(limit) frames, more than dreamvideo reads from one video; cut it first, e.g. ffmpeg -i \(path) -frames:v \(limit) part.mp4"
        }
    }
}

/// What a video may make the reader hold or read: frames up to a size that fits in memory (checked on
/// the container's header and on every decoded frame, before anything is allocated), and a frame count.
public struct VideoLimits: Sendable, Equatable {
    /// Bytes a frame may take while it is read (ImageDecoder's figure per pixel, the same picture in
    /// the same forms).
    public var memoryLimit: Int
    /// Frames read from one video: 2^20 is 9.7 hours at 30 fps, far beyond what a render dreams.
    public var maxFrames: Int

    public init(memoryLimit: Int = ImageDecoder.defaultMemoryLimit, maxFrames: Int = 1 << 20) {
        self.memoryLimit = memoryLimit; self.maxFrames = maxFrames
    }

    /// Sides above this are refused, as for a still picture.
    public var maxSide: Int { ImageDecoder.maxSide }
    public var maxPixels: Int { min(maxSide * maxSide, max(0, memoryLimit) / ImageDecoder.bytesPerPixel) }

    /// Throws unless width x height is a picture the reader takes (both sides positive).
    func check(width: Int, height: Int, path: String, frame: Int?) throws {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard width > 0, height > 0, width <= maxSide, height <= maxSide, !overflow, pixels <= maxPixels else {
            throw VideoReadError.frameTooLarge(path: path, frame: frame, width: width, height: height,
                                               maxSide: maxSide, maxPixels: maxPixels)
        }
    }
}

/// What a video says about itself before any frame is decoded.
public struct VideoInfo: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Frames per second as a fraction (30000/1001 for NTSC video); nil for a frame folder.
    public var frameRate: (num: Int, den: Int)?
    /// Frames in the video: counted for a folder, from the container's index or its duration for a
    /// file (then an estimate); nil when the container does not say.
    public var frameCount: Int?
    /// Seconds, when the container says.
    public var duration: Double?
    /// The audio codec's name (e.g. "aac"), nil without audio.
    public var audioCodec: String?

    public static func == (a: VideoInfo, b: VideoInfo) -> Bool {
        a.width == b.width && a.height == b.height && a.frameRate?.num == b.frameRate?.num
            && a.frameRate?.den == b.frameRate?.den && a.frameCount == b.frameCount && a.duration == b.duration
            && a.audioCodec == b.audioCodec
    }

    public var framesPerSecond: Double? { frameRate.map { Double($0.num) / Double($0.den) } }
}

/// Reads a video's frames in order, one at a time: a folder of PNG/JPEG files (sorted by name, as a
/// PNG sequence sink writes them) or any video libavformat opens (decoded to RGB24 by swscale).
public struct VideoReader: Sendable {
    public let path: String
    public var limits: VideoLimits

    public init(path: String, limits: VideoLimits = VideoLimits()) { self.path = path; self.limits = limits }

    /// Every frame, in order, one at a time (a long video never sits in memory whole).
    public func forEachFrame(_ body: (FloatImage) throws -> Void) throws {
        let frames = try open()
        while let f = try frames.next() { try body(f) }
    }

    /// A decoder positioned before the first frame.
    public func open() throws -> VideoFrames {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw VideoReadError.missing(path: path) }
            throw VideoReadError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return try VideoFrames(folder: path, limits: limits)
        case S_IFREG: return try VideoFrames(file: path, limits: limits)
        default: throw VideoReadError.notAFile(path: path)
        }
    }

    /// A decoder over a video held in memory (`name` only names it in errors): the same demuxers,
    /// limits and checks as a file.
    public static func open(bytes: [UInt8], name: String, limits: VideoLimits = VideoLimits()) throws -> VideoFrames {
        try VideoFrames(bytes: bytes, name: name, limits: limits)
    }

    /// Whether `path` is a video rather than a still picture, judged by its content: a folder (of
    /// frames) is a video; PNG and JPEG
    /// signatures are pictures; a container's signature (MP4/QuickTime, Matroska/WebM, AVI, Ogg,
    /// MPEG) or anything libavformat recognises as holding a moving video stream is a video, even if
    /// damaged (its error then comes from the video reader, which can say what is wrong).
    public static func isVideo(path: String) -> Bool {
        // A folder is a video of frame files (its reader says so if it holds none).
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { return true }
        // Only a regular file is looked into: opening a FIFO blocks and /dev/zero never ends. Anything
        // else goes to the image reader, which refuses it in one line.
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return false }
        guard let fh = FileHandle(forReadingAtPath: path) else { return false }
        let head = [UInt8]((try? fh.read(upToCount: 512)) ?? Data())
        try? fh.close()
        if head.starts(with: pngSignature) || head.starts(with: [0xFF, 0xD8, 0xFF]) { return false }
        // Named as a video but damaged beyond recognition: the video reader says what is wrong with it.
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        if ["mp4", "m4v", "mov", "mkv", "webm", "avi", "mpg", "mpeg", "ts"].contains(ext) { return true }
        func ascii(_ s: String, at i: Int = 0) -> Bool {
            let m = Array(s.utf8)
            return head.count >= i + m.count && Array(head[i..<i + m.count]) == m
        }
        if ascii("ftyp", at: 4) && !ascii("avif", at: 8) && !ascii("heic", at: 8) { return true }
        if head.starts(with: [0x1A, 0x45, 0xDF, 0xA3]) { return true }               // Matroska, WebM
        if ascii("RIFF") && ascii("AVI ", at: 8) { return true }
        if ascii("OggS") { return true }
        if head.starts(with: [0, 0, 1, 0xBA]) || head.starts(with: [0, 0, 1, 0xB3]) { return true }   // MPEG-PS/ES
        if head.count > 188 && head[0] == 0x47 && head[188] == 0x47 { return true }   // MPEG-TS
        // Anything else libavformat opens with a video stream that is not a single picture.
        av_log_set_level(AV_LOG_QUIET)
        defer { av_log_set_level(AV_LOG_ERROR) }
        guard let fmt = try? MediaInput.open(path: path) else { return false }
        var format: UnsafeMutablePointer<AVFormatContext>? = fmt
        defer { avformat_close_input(&format) }
        let name = String(cString: fmt.pointee.iformat.pointee.name)
        if name.hasPrefix("image2") || name.hasSuffix("_pipe") { return false }
        guard avformat_find_stream_info(fmt, nil) >= 0 else { return false }
        return av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0) >= 0
    }
}


/// Frames of one video, decoded on demand (`next()`), with what the container says about them.
public final class VideoFrames {
    public let path: String
    public let limits: VideoLimits
    public private(set) var info: VideoInfo
    private var folderNames: [String] = []
    private var folderIndex = 0

    private var format: UnsafeMutablePointer<AVFormatContext>?
    /// The bytes behind `format` when it reads from memory (kept alive as long as the format is open).
    private var memory: MemoryInput?
    private var codecContext: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var scaler: OpaquePointer?
    /// What `scaler` was made for: any change of size, pixel format, range or matrix needs a new one
    /// (a converter made for one layout reads another's planes out of bounds).
    private var scalerKey: ScalerKey?
    private var streamIndex: Int32 = -1
    private var rgb: [UInt8] = []
    private var flushed = false
    private var ended = false
    public private(set) var framesRead = 0

    init(folder: String, limits: VideoLimits) throws {
        path = folder
        self.limits = limits
        info = VideoInfo(width: 0, height: 0)
        folderNames = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { let l = $0.lowercased(); return l.hasSuffix(".png") || l.hasSuffix(".jpg") || l.hasSuffix(".jpeg") }
            .sorted()
        if folderNames.isEmpty { throw VideoReadError.emptyFolder(path: folder) }
        if folderNames.count > limits.maxFrames { throw VideoReadError.tooManyFrames(path: folder, limit: limits.maxFrames) }
        let first = try decoder.decode(path: folder + "/" + folderNames[0])
        info = VideoInfo(width: first.width, height: first.height, frameRate: nil, frameCount: folderNames.count,
                         duration: nil, audioCodec: nil)
    }

    convenience init(file: String, limits: VideoLimits) throws {
        // Our one-line error says why a file cannot be opened; libavformat's own lines would repeat it.
        av_log_set_level(AV_LOG_QUIET)
        defer { av_log_set_level(AV_LOG_ERROR) }
        try self.init(path: file, format: try MediaInput.open(path: file), memory: nil, limits: limits)
    }

    convenience init(bytes: [UInt8], name: String, limits: VideoLimits) throws {
        av_log_set_level(AV_LOG_QUIET)
        defer { av_log_set_level(AV_LOG_ERROR) }
        let memory = try MemoryInput(bytes: bytes)
        guard let ctx = avformat_alloc_context() else { throw VideoReadError.decoderFailed(path: name, reason: "out of memory") }
        var format: UnsafeMutablePointer<AVFormatContext>? = ctx
        ctx.pointee.pb = memory.context
        var options = MediaInput.whitelistOptions()
        defer { av_dict_free(&options) }
        // On failure avformat_open_input frees the context (not our AVIOContext: MemoryInput does).
        let err = avformat_open_input(&format, name, nil, &options)
        guard err >= 0, let fmt = format else {
            throw MediaInput.refusal(head: Array(bytes.prefix(4096)), name: name, code: err)
        }
        try self.init(path: name, format: fmt, memory: memory, limits: limits)
    }

    /// Takes an opened container (closed by deinit, also when this throws) and prepares its best video stream.
    private init(path: String, format fmt: UnsafeMutablePointer<AVFormatContext>, memory: MemoryInput?, limits: VideoLimits) throws {
        self.path = path
        self.limits = limits
        self.format = fmt
        self.memory = memory
        info = VideoInfo(width: 0, height: 0)
        var err = avformat_find_stream_info(fmt, nil)
        guard err >= 0 else { throw VideoReadError.cannotOpen(path: path, reason: avErrorString(err)) }
        var codec: UnsafePointer<AVCodec>?
        streamIndex = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)
        guard streamIndex >= 0, Int(streamIndex) < Int(fmt.pointee.nb_streams), let codec,
              let stream = fmt.pointee.streams[Int(streamIndex)], let par = stream.pointee.codecpar else {
            throw VideoReadError.noVideoStream(path: path)
        }
        let st = stream.pointee
        // The header's size, before the decoder allocates anything for it (0: not said; each frame is checked).
        let w = Int(par.pointee.width), h = Int(par.pointee.height)
        if w != 0 || h != 0 { try limits.check(width: w, height: h, path: path, frame: nil) }
        guard let ctx = avcodec_alloc_context3(codec) else { throw VideoReadError.decoderFailed(path: path, reason: "out of memory") }
        codecContext = ctx
        err = avcodec_parameters_to_context(ctx, par)
        guard err >= 0 else { throw VideoReadError.decoderFailed(path: path, reason: avErrorString(err)) }
        // The decoder itself refuses pictures beyond the limit (a size change mid-stream included).
        var options: OpaquePointer?
        av_dict_set(&options, "max_pixels", String(limits.maxPixels), 0)
        defer { av_dict_free(&options) }
        err = avcodec_open2(ctx, codec, &options)
        guard err >= 0 else { throw VideoReadError.decoderFailed(path: path, reason: avErrorString(err)) }
        guard let f = av_frame_alloc(), let p = av_packet_alloc() else {
            throw VideoReadError.decoderFailed(path: path, reason: "out of memory")
        }
        frame = f; packet = p

        // avg_frame_rate is the true mean; r_frame_rate the container's base rate (both 0/0 if unknown).
        var rate: (num: Int, den: Int)?
        for r in [st.avg_frame_rate, st.r_frame_rate] where rate == nil && r.num > 0 && r.den > 0 {
            rate = (Int(r.num), Int(r.den))
        }
        var duration: Double?
        if st.duration > 0 && st.duration != cffmpeg_nopts_value() && st.time_base.num > 0 && st.time_base.den > 0 {
            duration = Double(st.duration) * av_q2d(st.time_base)
        } else if fmt.pointee.duration > 0 && fmt.pointee.duration != cffmpeg_nopts_value() {
            duration = Double(fmt.pointee.duration) / Double(AV_TIME_BASE)
        }
        // What the container claims: taken only when it is a count the reader could reach.
        var count: Int? = st.nb_frames > 0 && st.nb_frames <= Int64(limits.maxFrames) ? Int(st.nb_frames) : nil
        if count == nil, st.nb_frames <= 0, let d = duration, let r = rate {
            let estimate = (d * Double(r.num) / Double(r.den)).rounded()
            if estimate.isFinite, estimate >= 1, estimate <= Double(limits.maxFrames) { count = Int(estimate) }
        }
        let audio = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, nil, 0)
        var audioCodec: String?
        if audio >= 0, Int(audio) < Int(fmt.pointee.nb_streams), let a = fmt.pointee.streams[Int(audio)]?.pointee.codecpar {
            audioCodec = String(cString: avcodec_get_name(a.pointee.codec_id))
        }
        info = VideoInfo(width: w, height: h, frameRate: rate, frameCount: count, duration: duration, audioCodec: audioCodec)
    }

    deinit {
        if frame != nil { av_frame_free(&frame) }
        if packet != nil { av_packet_free(&packet) }
        if codecContext != nil { avcodec_free_context(&codecContext) }
        if let s = scaler { sws_freeContext(s) }
        if format != nil { avformat_close_input(&format) }
        // `memory` (the custom AVIOContext) is released after the format that read from it.
    }

    /// Frame files are pictures: decoded with the same memory limit as the video's frames.
    private var decoder: ImageDecoder { ImageDecoder(memoryLimit: limits.memoryLimit) }

    /// The next frame, or nil after the last.
    public func next() throws -> FloatImage? {
        if !folderNames.isEmpty {
            guard folderIndex < folderNames.count else { return nil }
            folderIndex += 1
            framesRead += 1
            return try decoder.decode(path: path + "/" + folderNames[folderIndex - 1])
        }
        guard let fmt = format, let ctx = codecContext, let pkt = packet else { return nil }
        // A damaged packet is skipped and a fatal one becomes our one-line error: the decoder's own log
        // lines would only break the progress line.
        av_log_set_level(AV_LOG_QUIET)
        defer { av_log_set_level(AV_LOG_ERROR) }
        while !ended {
            if let image = try receive(ctx) { framesRead += 1; return image }
            if flushed { ended = true; break }
            let r = av_read_frame(fmt, pkt)
            if r < 0 {
                // End of file (or a cut-off file): drain what the decoder still holds.
                _ = avcodec_send_packet(ctx, nil)
                flushed = true
                continue
            }
            defer { av_packet_unref(pkt) }
            guard pkt.pointee.stream_index == streamIndex else { continue }
            let s = avcodec_send_packet(ctx, pkt)
            // A damaged packet in the middle is skipped the way players do; a stream of them fails below.
            if s < 0 && s != cffmpeg_averror_invalid_data() {
                throw VideoReadError.decoderFailed(path: path, reason: avErrorString(s))
            }
        }
        if framesRead == 0 { throw VideoReadError.noFrames(path: path) }
        return nil
    }

    private func receive(_ ctx: UnsafeMutablePointer<AVCodecContext>) throws -> FloatImage? {
        guard let f = frame else { return nil }
        let r = avcodec_receive_frame(ctx, f)
        if r == cffmpeg_averror_eagain() || r == cffmpeg_averror_eof() { return nil }
        guard r >= 0 else { throw VideoReadError.decoderFailed(path: path, reason: avErrorString(r)) }
        defer { av_frame_unref(f) }
        guard framesRead < limits.maxFrames else { throw VideoReadError.tooManyFrames(path: path, limit: limits.maxFrames) }
        let w = Int(f.pointee.width), h = Int(f.pointee.height)
        try limits.check(width: w, height: h, path: path, frame: framesRead + 1)
        let key = ScalerKey(f.pointee)
        if scalerKey != key { try makeScaler(for: key) }
        let want = 3 * w * h   // no overflow: the limits bound both sides
        if rgb.count != want { rgb = [UInt8](repeating: 0, count: want) }
        let rows: Int32 = rgb.withUnsafeMutableBufferPointer { out in
            var dst: [UnsafeMutablePointer<UInt8>?] = [out.baseAddress, nil, nil, nil]
            var dstStride: [Int32] = [Int32(3 * w), 0, 0, 0]
            return withUnsafePointer(to: &f.pointee.data) { dp in
                withUnsafePointer(to: &f.pointee.linesize) { lp in
                    dp.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { data in
                        lp.withMemoryRebound(to: Int32.self, capacity: 8) { lines in
                            sws_scale(scaler, data, lines, 0, Int32(h), &dst, &dstStride)
                        }
                    }
                }
            }
        }
        guard rows == Int32(h) else {
            throw VideoReadError.decoderFailed(path: path, reason: "frame \(framesRead + 1) could not be converted to RGB (\(rows < 0 ? avErrorString(rows) : "\(rows) of \(h) rows"))")
        }
        return FloatImage(rgb8: rgb, width: w, height: h)
    }

    /// A converter from the frame's layout to RGB24 at the same size.
    private func makeScaler(for key: ScalerKey) throws {
        if let s = scaler { sws_freeContext(s) }
        scaler = nil
        scalerKey = nil
        let src = AVPixelFormat(rawValue: key.format)
        guard key.format >= 0, sws_isSupportedInput(src) > 0,
              let s = sws_getContext(Int32(key.width), Int32(key.height), src, Int32(key.width), Int32(key.height),
                                     AV_PIX_FMT_RGB24, SWS_BICUBIC | SWS_ACCURATE_RND, nil, nil, nil) else {
            let name = av_get_pix_fmt_name(src).map { String(cString: $0) } ?? "unknown"
            throw VideoReadError.decoderFailed(path: path, reason: "no converter from its \(name) pixels to RGB")
        }
        scaler = s
        // The sink writes BT.709 limited range; a frame that says nothing is read back the same way.
        let matrix = sws_getCoefficients(key.swsColorspace)
        guard sws_setColorspaceDetails(s, matrix, key.fullRange ? 1 : 0, sws_getCoefficients(SWS_CS_ITU709), 1, 0, 1 << 16, 1 << 16) >= 0 else {
            throw VideoReadError.decoderFailed(path: path, reason: "its colour range or matrix cannot be converted to RGB")
        }
        scalerKey = key
    }
}

/// The layout a converter is made for.
private struct ScalerKey: Equatable {
    var width: Int
    var height: Int
    var format: Int32
    var range: UInt32
    var colorspace: UInt32

    init(_ f: AVFrame) {
        width = Int(f.width); height = Int(f.height); format = f.format
        range = f.color_range.rawValue; colorspace = f.colorspace.rawValue
    }

    /// Full-range samples: said by the frame, else the JPEG-style formats and anything not YUV.
    var fullRange: Bool {
        if range == AVCOL_RANGE_JPEG.rawValue { return true }
        if range == AVCOL_RANGE_MPEG.rawValue { return false }
        guard let desc = av_pix_fmt_desc_get(AVPixelFormat(rawValue: format)) else { return false }
        let isRGB = desc.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB) != 0
        return isRGB || desc.pointee.nb_components < 3
    }

    /// libswscale's matrix index for the frame's colourspace (it shares AVColorSpace's numbers);
    /// BT.709 when unspecified, as the sink writes.
    var swsColorspace: Int32 {
        switch colorspace {
        case AVCOL_SPC_BT470BG.rawValue, AVCOL_SPC_SMPTE170M.rawValue, AVCOL_SPC_FCC.rawValue,
             AVCOL_SPC_SMPTE240M.rawValue, AVCOL_SPC_BT2020_NCL.rawValue, AVCOL_SPC_BT2020_CL.rawValue:
            return Int32(colorspace)
        default: return SWS_CS_ITU709
        }
    }
}
