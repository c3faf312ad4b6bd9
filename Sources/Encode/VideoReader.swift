import CFFmpeg
import Foundation
import FrameLoop

/// Why a video or frame folder could not be read.
public enum VideoReadError: Error, CustomStringConvertible, Equatable {
    case missing(path: String)
    case cannotOpen(path: String, reason: String)
    case noVideoStream(path: String)
    case decoderFailed(path: String, reason: String)
    case noFrames(path: String)
    case noAudioStream(path: String)
    case emptyFolder(path: String)

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
        case let .noAudioStream(path):
            return "\(path): has no audio stream to keep; leave out --audio"
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

    public init(path: String) { self.path = path }

    /// Every frame, in order, one at a time (a long video never sits in memory whole).
    public func forEachFrame(_ body: (FloatImage) throws -> Void) throws {
        let frames = try open()
        while let f = try frames.next() { try body(f) }
    }

    /// A decoder positioned before the first frame.
    public func open() throws -> VideoFrames {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw VideoReadError.missing(path: path) }
        return isDir.boolValue ? try VideoFrames(folder: path) : try VideoFrames(file: path)
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
        var format: UnsafeMutablePointer<AVFormatContext>?
        guard avformat_open_input(&format, path, nil, nil) >= 0, let fmt = format else { return false }
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
    public private(set) var info: VideoInfo
    private var folderNames: [String] = []
    private var folderIndex = 0

    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codecContext: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var scaler: OpaquePointer?
    private var streamIndex: Int32 = -1
    private var rgb: [UInt8] = []
    private var flushed = false
    private var ended = false
    public private(set) var framesRead = 0

    init(folder: String) throws {
        path = folder
        folderNames = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { let l = $0.lowercased(); return l.hasSuffix(".png") || l.hasSuffix(".jpg") || l.hasSuffix(".jpeg") }
            .sorted()
        if folderNames.isEmpty { throw VideoReadError.emptyFolder(path: folder) }
        let first = try ImageDecoder().decode(path: folder + "/" + folderNames[0])
        info = VideoInfo(width: first.width, height: first.height, frameRate: nil, frameCount: folderNames.count,
                         duration: nil, audioCodec: nil)
    }

    init(file: String) throws {
        path = file
        info = VideoInfo(width: 0, height: 0)
        // Our one-line error says why a file cannot be opened; libavformat's own lines would repeat it.
        av_log_set_level(AV_LOG_QUIET)
        defer { av_log_set_level(AV_LOG_ERROR) }
        var err = avformat_open_input(&format, path, nil, nil)
        guard err >= 0, let fmt = format else { throw VideoReadError.cannotOpen(path: path, reason: avErrorString(err)) }
        err = avformat_find_stream_info(fmt, nil)
        guard err >= 0 else { throw VideoReadError.cannotOpen(path: path, reason: avErrorString(err)) }
        var codec: UnsafePointer<AVCodec>?
        streamIndex = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)
        guard streamIndex >= 0, let codec else { throw VideoReadError.noVideoStream(path: path) }
        guard let ctx = avcodec_alloc_context3(codec) else { throw VideoReadError.decoderFailed(path: path, reason: "out of memory") }
        codecContext = ctx
        let st = fmt.pointee.streams[Int(streamIndex)]!.pointee
        avcodec_parameters_to_context(ctx, st.codecpar)
        err = avcodec_open2(ctx, codec, nil)
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
        if st.duration > 0 && st.duration != cffmpeg_nopts_value() {
            duration = Double(st.duration) * av_q2d(st.time_base)
        } else if fmt.pointee.duration > 0 && fmt.pointee.duration != cffmpeg_nopts_value() {
            duration = Double(fmt.pointee.duration) / Double(AV_TIME_BASE)
        }
        var count: Int? = st.nb_frames > 0 ? Int(st.nb_frames) : nil
        if count == nil, let d = duration, let r = rate { count = Int((d * Double(r.num) / Double(r.den)).rounded()) }
        let audio = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, nil, 0)
        let audioCodec = audio >= 0 ? String(cString: avcodec_get_name(fmt.pointee.streams[Int(audio)]!.pointee.codecpar.pointee.codec_id)) : nil
        info = VideoInfo(width: Int(st.codecpar.pointee.width), height: Int(st.codecpar.pointee.height), frameRate: rate,
                         frameCount: count, duration: duration, audioCodec: audioCodec)
    }

    deinit {
        if frame != nil { av_frame_free(&frame) }
        if packet != nil { av_packet_free(&packet) }
        if codecContext != nil { avcodec_free_context(&codecContext) }
        if let s = scaler { sws_freeContext(s) }
        if format != nil { avformat_close_input(&format) }
    }

    /// The next frame, or nil after the last.
    public func next() throws -> FloatImage? {
        if !folderNames.isEmpty {
            guard folderIndex < folderNames.count else { return nil }
            folderIndex += 1
            framesRead += 1
            return try ImageDecoder().decode(path: path + "/" + folderNames[folderIndex - 1])
        }
        guard let fmt = format, let ctx = codecContext, let pkt = packet else { return nil }
        while !ended {
            if let image = try receive(ctx) { framesRead += 1; return image }
            if flushed { ended = true; break }
            let r = av_read_frame(fmt, pkt)
            if r < 0 {
                // End of file (or a cut-off file): drain what the decoder still holds.
                avcodec_send_packet(ctx, nil)
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
        let w = Int(f.pointee.width), h = Int(f.pointee.height)
        if scaler == nil || rgb.count != 3 * w * h {
            if let s = scaler { sws_freeContext(s) }
            let src = AVPixelFormat(rawValue: f.pointee.format)
            scaler = sws_getContext(Int32(w), Int32(h), src, Int32(w), Int32(h), AV_PIX_FMT_RGB24,
                                    SWS_BICUBIC | SWS_ACCURATE_RND, nil, nil, nil)
            guard let s = scaler else { throw VideoReadError.decoderFailed(path: path, reason: "no converter to RGB") }
            // The sink writes BT.709 limited range; read it back the same way.
            let bt709 = sws_getCoefficients(SWS_CS_ITU709)
            let full: Int32 = f.pointee.color_range == AVCOL_RANGE_JPEG ? 1 : 0
            sws_setColorspaceDetails(s, bt709, full, bt709, 1, 0, 1 << 16, 1 << 16)
            rgb = [UInt8](repeating: 0, count: 3 * w * h)
        }
        rgb.withUnsafeMutableBufferPointer { out in
            var dst: [UnsafeMutablePointer<UInt8>?] = [out.baseAddress, nil, nil, nil]
            var dstStride: [Int32] = [Int32(3 * w), 0, 0, 0]
            withUnsafePointer(to: &f.pointee.data) { dp in
                withUnsafePointer(to: &f.pointee.linesize) { lp in
                    dp.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { data in
                        lp.withMemoryRebound(to: Int32.self, capacity: 8) { lines in
                            _ = sws_scale(scaler, data, lines, 0, Int32(h), &dst, &dstStride)
                        }
                    }
                }
            }
        }
        return FloatImage(rgb8: rgb, width: w, height: h)
    }
}
