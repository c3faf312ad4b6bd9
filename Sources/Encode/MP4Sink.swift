import CFFmpeg
import Foundation
import FrameLoop

/// Encodes frames into an MP4 as they arrive, through libavcodec/libavformat/libswscale in-process.
///
/// The video is yuv420p (or, with `Options.chroma` 444, yuv444p; yuv444p10le for libx265), tagged BT.709 limited range, constant frame rate `fps`. The file is written
/// to `dir/.name.partial` and renamed onto the target only by `finish()`; `cancel()` (or dropping the
/// sink unfinished) removes the temporary, so a file under the target name is always complete.
/// The moov atom is placed before the media data (+faststart) so the video plays while downloading.
///
/// Given a `previous` video (the same encoder settings, finished by an earlier, interrupted render),
/// the sink first copies its packets, unchanged, into the new file, then encodes its own frames after
/// them: the result holds every frame once, in order, with no generation loss.
public final class MP4Sink: FrameSink {
    public let path: String
    public let options: Options
    /// The encoded size: the frame size rounded up to even (set by the first frame).
    public private(set) var encodedSize: (width: Int, height: Int)?
    public private(set) var framesWritten = 0

    private let file: PartialFile
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codecContext: UnsafeMutablePointer<AVCodecContext>?
    private var stream: UnsafeMutablePointer<AVStream>?
    private var scaler: OpaquePointer?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var frameSize: (width: Int, height: Int)?
    private var rgb: [UInt8] = []
    /// True until the temporary exists, so that a sink whose init failed early deletes nothing.
    private var closed = true
    /// The video continued (see `init(path:options:continuing:)`) and how many frames it holds.
    public let previous: String?
    public let previousFrames: Int
    /// For H.264/HEVC: the NAL length size of the copied packets (they are turned back into Annex B,
    /// the form the encoder gives, so that the muxer treats old and new packets alike).
    private var copiedLengthSize: Int?
    /// The source whose audio is copied in (options.audioSource), opened by init.
    private var audio: AudioCopy?

    /// Validates the options, checks that the encoder exists and creates the temporary output file,
    /// so that every configuration error shows before any frame is computed.
    public init(path: String, options: Options = Options(), continuing previous: String? = nil) throws {
        self.options = options
        file = PartialFile(target: path)
        self.path = file.target
        self.previous = previous
        try Self.validate(options)
        previousFrames = try previous.map { try Self.countFrames(in: $0) } ?? 0
        // x264 and friends log every setting at info level; only real errors should reach the terminal.
        av_log_set_level(AV_LOG_ERROR)
        guard avcodec_find_encoder_by_name(options.codec) != nil else {
            throw MP4SinkError.encoderNotAvailable(options.codec)
        }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: self.path, isDirectory: &isDir), isDir.boolValue {
            throw MP4SinkError.targetIsDirectory(path: self.path)
        }
        // The muxer is named because the temporary's extension (.partial) says nothing.
        var fmt: UnsafeMutablePointer<AVFormatContext>?
        var err = avformat_alloc_output_context2(&fmt, nil, "mp4", file.temporary)
        guard err >= 0, let fmt else {
            throw MP4SinkError.cannotCreateOutput(directory: file.directory, reason: avErrorString(err))
        }
        format = fmt
        if let source = options.audioSource {
            if previous != nil {
                throw MP4SinkError.invalidOption("an audio stream cannot be added to a continued video")
            }
            audio = try AudioCopy(source: source, container: fmt.pointee.oformat)
        }
        closed = false   // from here a throw runs deinit -> cancel(), which frees all and removes the temporary
        err = avio_open(&fmt.pointee.pb, file.temporary, AVIO_FLAG_WRITE)
        guard err >= 0 else {
            throw MP4SinkError.cannotCreateOutput(directory: file.directory, reason: avErrorString(err))
        }
    }

    deinit { if !closed { cancel() } }

    public func write(_ image: FloatImage) throws {
        if closed { throw MP4SinkError.alreadyFinished }
        guard image.width > 0, image.height > 0 else {
            throw MP4SinkError.emptyFrame(width: image.width, height: image.height)
        }
        if let s = frameSize {
            if s != (image.width, image.height) {
                throw MP4SinkError.sizeChanged(expected: "\(s.width)x\(s.height)", got: "\(image.width)x\(image.height)")
            }
        } else {
            do { try openEncoder(width: image.width, height: image.height) } catch {
                // A half-opened encoder is of no further use: drop it and the temporary.
                cancel()
                throw error
            }
        }
        guard let ctx = codecContext, let frame, let (w, h) = encodedSize else {
            throw MP4SinkError.encoderFailed(codec: options.codec, reason: "encoder not open")
        }

        interleaveRGB8(image, into: &rgb, paddedWidth: w, paddedHeight: h)
        var err = av_frame_make_writable(frame)
        guard err >= 0 else { throw MP4SinkError.encoderFailed(codec: options.codec, reason: avErrorString(err)) }
        rgb.withUnsafeBufferPointer { src in
            var srcPlanes: [UnsafePointer<UInt8>?] = [src.baseAddress, nil, nil, nil]
            var srcStrides: [Int32] = [Int32(3 * w), 0, 0, 0]
            withUnsafeMutablePointer(to: &frame.pointee.data) { data in
                withUnsafeMutablePointer(to: &frame.pointee.linesize) { lines in
                    data.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { dst in
                        lines.withMemoryRebound(to: Int32.self, capacity: 8) { dstStrides in
                            _ = sws_scale(scaler, &srcPlanes, &srcStrides, 0, Int32(h), dst, dstStrides)
                        }
                    }
                }
            }
        }
        frame.pointee.pts = Int64(previousFrames + framesWritten)
        err = avcodec_send_frame(ctx, frame)
        guard err >= 0 else { throw MP4SinkError.encoderFailed(codec: options.codec, reason: avErrorString(err)) }
        framesWritten += 1
        try drainPackets()
    }

    /// Flushes the encoder, writes the index and renames the temporary onto the target.
    public func finish() throws {
        if closed { throw MP4SinkError.alreadyFinished }
        guard framesWritten > 0, let ctx = codecContext, let fmt = format else {
            cancel()
            throw MP4SinkError.noFrames(path: path)
        }
        do {
            let err = avcodec_send_frame(ctx, nil)
            guard err >= 0 else { throw MP4SinkError.encoderFailed(codec: options.codec, reason: avErrorString(err)) }
            try drainPackets()
            try audio?.copy(until: seconds(ofFrame: previousFrames + framesWritten), into: fmt, path: path)
            // With +faststart the trailer rewrites the file to move moov to the front: it can fail on a full disk.
            var e = av_write_trailer(fmt)
            guard e >= 0 else { throw MP4SinkError.writeFailed(path: path, reason: avErrorString(e)) }
            e = avio_closep(&fmt.pointee.pb)
            guard e >= 0 else { throw MP4SinkError.writeFailed(path: path, reason: avErrorString(e)) }
        } catch {
            cancel()
            throw error
        }
        release()
        closed = true
        if let reason = file.commit() {
            file.discard()
            throw MP4SinkError.writeFailed(path: path, reason: reason)
        }
    }

    /// Abandons the video: frees the encoder and removes the temporary. The target is left untouched.
    public func cancel() {
        if closed { return }
        closed = true
        if let fmt = format, fmt.pointee.pb != nil { avio_closep(&fmt.pointee.pb) }
        release()
        file.discard()
    }

    // MARK: - internals

    private func openEncoder(width: Int, height: Int) throws {
        guard let fmt = format, let codec = avcodec_find_encoder_by_name(options.codec) else {
            throw MP4SinkError.encoderNotAvailable(options.codec)
        }
        // yuv420p stores chroma for 2x2 blocks, so x264 demands even sizes: encode at the size rounded
        // up to even, the extra column/row repeating the last one (interleaveRGB8), rather than crop a
        // pixel of the picture away.
        let w = (width + 1) & ~1, h = (height + 1) & ~1
        frameSize = (width, height)
        encodedSize = (w, h)
        rgb = [UInt8](repeating: 0, count: 3 * w * h)
        let fail = { (reason: String) in MP4SinkError.encoderFailed(codec: self.options.codec, reason: reason) }

        // Allocating with the codec applies its own defaults (x264's keyint 250, not libavcodec's 12).
        guard let ctx = avcodec_alloc_context3(codec) else { throw fail("out of memory") }
        codecContext = ctx
        let rate = AVRational(num: Int32(options.fps), den: Int32(options.fpsDenominator))
        ctx.pointee.width = Int32(w)
        ctx.pointee.height = Int32(h)
        let pixelFormat = Self.pixelFormat(codec: options.codec, chroma: options.chroma)
        ctx.pointee.pix_fmt = pixelFormat
        ctx.pointee.time_base = AVRational(num: Int32(options.fpsDenominator), den: Int32(options.fps))
        ctx.pointee.framerate = rate
        ctx.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        ctx.pointee.thread_count = Int32(options.threads)
        ctx.pointee.color_range = AVCOL_RANGE_MPEG
        ctx.pointee.colorspace = AVCOL_SPC_BT709
        ctx.pointee.color_primaries = AVCOL_PRI_BT709
        ctx.pointee.color_trc = AVCOL_TRC_BT709
        if fmt.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            ctx.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        }
        let priv = ctx.pointee.priv_data
        func set(_ key: String, _ value: String) throws {
            let e = av_opt_set(priv, key, value, 0)
            if e < 0 { throw fail("cannot set \(key)=\(value): \(avErrorString(e))") }
        }
        switch options.codec {
        case "libvpx-vp9":
            ctx.pointee.bit_rate = 0   // crf with no bitrate target = constant quality
            try set("crf", String(options.crf))
            try set("cpu-used", String(Self.vp9CpuUsed(options.preset)))
            try set("row-mt", "1")
        case "libx265":
            try set("preset", options.preset)
            try set("crf", String(options.crf))
            try set("x265-params", "log-level=error")   // x265 prints its banner outside av_log
        default:
            try set("preset", options.preset)
            try set("crf", String(options.crf))
        }
        var err = avcodec_open2(ctx, codec, nil)
        guard err >= 0 else { throw fail("cannot open at \(w)x\(h): \(avErrorString(err))") }

        guard let st = avformat_new_stream(fmt, nil) else { throw fail("cannot add a video stream") }
        stream = st
        err = avcodec_parameters_from_context(st.pointee.codecpar, ctx)
        guard err >= 0 else { throw fail(avErrorString(err)) }
        var input: UnsafeMutablePointer<AVFormatContext>?
        defer { if input != nil { avformat_close_input(&input) } }
        var inputStream: Int32 = -1
        if let previous {
            (input, inputStream) = try Self.openVideo(previous)
            let old = input!.pointee.streams[Int(inputStream)]!.pointee.codecpar!
            try Self.checkCompatible(old, with: ctx, previous: previous)
            copiedLengthSize = Self.nalLengthSize(old)
        }
        if options.codec == "libx265" {
            // Apple players only accept HEVC in MP4 under the 'hvc1' tag.
            st.pointee.codecpar.pointee.codec_tag = fourCC("hvc1")
        }
        st.pointee.time_base = ctx.pointee.time_base
        st.pointee.avg_frame_rate = rate
        st.pointee.r_frame_rate = rate
        try audio?.addStream(to: fmt)

        for (key, value) in options.metadata.sorted(by: { $0.key < $1.key }) {
            av_dict_set(&fmt.pointee.metadata, key, value, 0)
        }
        var muxOptions: OpaquePointer?
        av_dict_set(&muxOptions, "movflags", "+faststart", 0)
        err = avformat_write_header(fmt, &muxOptions)
        av_dict_free(&muxOptions)
        guard err >= 0 else { throw MP4SinkError.writeFailed(path: path, reason: avErrorString(err)) }
        if let input { try copyPackets(from: input, stream: inputStream) }

        // RGB is full range; tell swscale to produce BT.709 limited range, matching the tags above.
        guard let sws = sws_getContext(Int32(w), Int32(h), AV_PIX_FMT_RGB24, Int32(w), Int32(h), pixelFormat,
                                       SWS_BICUBIC | SWS_ACCURATE_RND, nil, nil, nil) else {
            throw fail("cannot create the RGB to YUV converter")
        }
        scaler = sws
        let bt709 = sws_getCoefficients(SWS_CS_ITU709)
        sws_setColorspaceDetails(sws, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16)

        guard let f = av_frame_alloc(), let p = av_packet_alloc() else { throw fail("out of memory") }
        frame = f
        packet = p
        f.pointee.format = pixelFormat.rawValue
        f.pointee.width = Int32(w)
        f.pointee.height = Int32(h)
        err = av_frame_get_buffer(f, 0)
        guard err >= 0 else { throw fail(avErrorString(err)) }
    }

    /// 4:4:4 is yuv444p (x264 then writes the High 4:4:4 Predictive profile, VP9 profile 1), and for
    /// libx265 10-bit yuv444p10le (Main 4:4:4 10): people who archive or edit want the depth too.
    static func pixelFormat(codec: String, chroma: Chroma) -> AVPixelFormat {
        switch (chroma, codec) {
        case (.yuv420, _): return AV_PIX_FMT_YUV420P
        case (.yuv444, "libx265"): return AV_PIX_FMT_YUV444P10LE
        case (.yuv444, _): return AV_PIX_FMT_YUV444P
        }
    }

    /// Opens `path` and finds its video stream.
    private static func openVideo(_ path: String) throws -> (UnsafeMutablePointer<AVFormatContext>, Int32) {
        var input: UnsafeMutablePointer<AVFormatContext>?
        var err = avformat_open_input(&input, path, nil, nil)
        guard err >= 0, let ctx = input else {
            throw MP4SinkError.cannotContinue(previous: path, reason: avErrorString(err))
        }
        err = avformat_find_stream_info(ctx, nil)
        let index = av_find_best_stream(ctx, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        guard err >= 0, index >= 0 else {
            avformat_close_input(&input)
            throw MP4SinkError.cannotContinue(previous: path, reason: "it holds no video stream")
        }
        return (ctx, index)
    }

    /// Frames (packets) in the video stream of `path`.
    static func countFrames(in path: String) throws -> Int {
        var (ctx, index): (UnsafeMutablePointer<AVFormatContext>?, Int32) = try openVideo(path)
        defer { avformat_close_input(&ctx) }
        guard let pkt = av_packet_alloc() else { throw MP4SinkError.cannotContinue(previous: path, reason: "out of memory") }
        var p: UnsafeMutablePointer<AVPacket>? = pkt
        defer { av_packet_free(&p) }
        var n = 0
        while true {
            let err = av_read_frame(ctx, pkt)
            if err == cffmpeg_averror_eof() { break }
            guard err >= 0 else { throw MP4SinkError.cannotContinue(previous: path, reason: avErrorString(err)) }
            if pkt.pointee.stream_index == index { n += 1 }
            av_packet_unref(pkt)
        }
        return n
    }

    /// The copied packets and the new ones must decode with one stream header: the same codec, size
    /// and pixel format, and for H.264 the same parameter sets (x264 writes identical ones for
    /// identical settings; a different x264 version or option would not).
    private static func checkCompatible(_ old: UnsafeMutablePointer<AVCodecParameters>,
                                        with ctx: UnsafeMutablePointer<AVCodecContext>, previous: String) throws {
        let o = old.pointee, n = ctx.pointee
        func refuse(_ why: String) -> MP4SinkError { .cannotContinue(previous: previous, reason: why) }
        guard o.codec_id == n.codec_id else { throw refuse("it was made by another codec") }
        guard o.width == n.width, o.height == n.height else {
            throw refuse("it is \(o.width)x\(o.height), this render is \(n.width)x\(n.height)")
        }
        guard o.format == n.pix_fmt.rawValue else { throw refuse("its pixel format differs") }
        if o.codec_id == AV_CODEC_ID_H264 {
            let a = h264ParameterSets(o.extradata, Int(o.extradata_size))
            let b = h264ParameterSets(n.extradata, Int(n.extradata_size))
            guard !a.isEmpty, a == b else { throw refuse("its H.264 parameter sets differ from this encoder's (other settings or another x264)") }
        }
    }

    /// The SPS and PPS NAL units of H.264 extradata, from either avcC (MP4) or Annex B (encoder) form.
    static func h264ParameterSets(_ p: UnsafeMutablePointer<UInt8>?, _ count: Int) -> [[UInt8]] {
        guard let p, count > 0 else { return [] }
        let b = Array(UnsafeBufferPointer(start: p, count: count))
        var nals: [[UInt8]] = []
        if b[0] == 1 {
            // avcC: version, profile, compat, level, lengthSize, numSPS, (u16 len, sps)*, numPPS, (u16 len, pps)*
            var i = 5
            for lists in 0..<2 {
                guard i < b.count else { return [] }
                let n = Int(b[i]) & (lists == 0 ? 0x1F : 0xFF); i += 1
                for _ in 0..<n {
                    guard i + 2 <= b.count else { return [] }
                    let len = Int(b[i]) << 8 | Int(b[i + 1]); i += 2
                    guard i + len <= b.count else { return [] }
                    nals.append(Array(b[i..<i + len])); i += len
                }
            }
        } else {
            // Annex B: NAL units after 00 00 01 start codes (a 4-byte code is a zero and a 3-byte one).
            var starts: [Int] = []
            var i = 0
            while i + 3 <= b.count {
                if b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1 { starts.append(i + 3); i += 3 } else { i += 1 }
            }
            for (k, s) in starts.enumerated() {
                var e = k + 1 < starts.count ? starts[k + 1] - 3 : b.count
                while e > s && b[e - 1] == 0 { e -= 1 }
                nals.append(Array(b[s..<e]))
            }
        }
        // Only SPS (7) and PPS (8): SEI and the like may differ without harm.
        return nals.filter { !$0.isEmpty && [7, 8].contains($0[0] & 0x1F) }
    }

    /// H.264 and HEVC in MP4 store NAL units behind their lengths; the encoder gives them behind start
    /// codes (and the muxer converts those because the stream header it gets is the encoder's).
    /// The length size, from avcC/hvcC, when packets need turning back; nil for other codecs.
    private static func nalLengthSize(_ par: UnsafeMutablePointer<AVCodecParameters>) -> Int? {
        let p = par.pointee
        guard let x = p.extradata, p.extradata_size > 0, x[0] == 1 else { return nil }
        if p.codec_id == AV_CODEC_ID_H264, p.extradata_size > 4 { return Int(x[4] & 3) + 1 }
        if p.codec_id == AV_CODEC_ID_HEVC, p.extradata_size > 21 { return Int(x[21] & 3) + 1 }
        return nil
    }

    /// Replaces each 4-byte NAL length by a 4-byte start code, in place.
    private func toAnnexB(_ pkt: UnsafeMutablePointer<AVPacket>, lengthSize: Int) throws {
        let bad = MP4SinkError.cannotContinue(previous: previous ?? "", reason: "its packets are not in the expected form")
        guard lengthSize == 4 else { throw bad }
        guard av_packet_make_writable(pkt) >= 0, let d = pkt.pointee.data else { throw bad }
        let size = Int(pkt.pointee.size)
        var i = 0
        while i + 4 <= size {
            let len = Int(d[i]) << 24 | Int(d[i + 1]) << 16 | Int(d[i + 2]) << 8 | Int(d[i + 3])
            d[i] = 0; d[i + 1] = 0; d[i + 2] = 0; d[i + 3] = 1
            i += 4 + len
        }
        guard i == size else { throw bad }
    }

    /// Copies the previous video's packets, unchanged, to the front of this one.
    private func copyPackets(from input: UnsafeMutablePointer<AVFormatContext>, stream index: Int32) throws {
        guard let fmt = format, let st = stream, let pkt = av_packet_alloc() else { return }
        var p: UnsafeMutablePointer<AVPacket>? = pkt
        defer { av_packet_free(&p) }
        let inBase = input.pointee.streams[Int(index)]!.pointee.time_base
        var copied = 0
        while true {
            var err = av_read_frame(input, pkt)
            if err == cffmpeg_averror_eof() { break }
            guard err >= 0 else { throw MP4SinkError.cannotContinue(previous: previous ?? "", reason: avErrorString(err)) }
            defer { av_packet_unref(pkt) }
            guard pkt.pointee.stream_index == index else { continue }
            if let n = copiedLengthSize { try toAnnexB(pkt, lengthSize: n) }
            av_packet_rescale_ts(pkt, inBase, st.pointee.time_base)
            pkt.pointee.stream_index = st.pointee.index
            pkt.pointee.pos = -1
            err = av_interleaved_write_frame(fmt, pkt)
            guard err >= 0 else { throw MP4SinkError.writeFailed(path: path, reason: avErrorString(err)) }
            copied += 1
        }
        guard copied == previousFrames else {
            throw MP4SinkError.cannotContinue(previous: previous ?? "", reason: "it changed while being read")
        }
    }

    /// Moves every packet the encoder has ready into the file.
    private func drainPackets() throws {
        guard let ctx = codecContext, let pkt = packet, let st = stream, let fmt = format else { return }
        while true {
            let err = avcodec_receive_packet(ctx, pkt)
            if err == cffmpeg_averror_eagain() || err == cffmpeg_averror_eof() { return }
            guard err >= 0 else { throw MP4SinkError.encoderFailed(codec: options.codec, reason: avErrorString(err)) }
            // Each packet lasts one frame; without this the muxer cannot know the last frame's duration.
            pkt.pointee.duration = 1
            av_packet_rescale_ts(pkt, ctx.pointee.time_base, st.pointee.time_base)
            pkt.pointee.stream_index = st.pointee.index
            let end = pkt.pointee.pts == cffmpeg_nopts_value() ? nil : pkt.pointee.pts + pkt.pointee.duration
            let endSeconds = end.map { Double($0) * av_q2d(st.pointee.time_base) }
            let w = av_interleaved_write_frame(fmt, pkt)
            guard w >= 0 else { throw MP4SinkError.writeFailed(path: path, reason: avErrorString(w)) }
            // The sound up to the end of this picture, so audio and video lie side by side in the file.
            if let t = endSeconds { try audio?.copy(until: t, into: fmt, path: path) }
        }
    }

    /// Where frame `n` (counting from 0) starts, in seconds.
    private func seconds(ofFrame n: Int) -> Double {
        Double(n) * Double(options.fpsDenominator) / Double(options.fps)
    }

    private func release() {
        if frame != nil { av_frame_free(&frame) }
        if packet != nil { av_packet_free(&packet) }
        if codecContext != nil { avcodec_free_context(&codecContext) }
        if let s = scaler { sws_freeContext(s); scaler = nil }
        if let fmt = format {
            if fmt.pointee.pb != nil { avio_closep(&fmt.pointee.pb) }
            avformat_free_context(fmt)
            format = nil
        }
        stream = nil
        audio = nil
    }
}

func avErrorString(_ code: Int32) -> String {
    var buf = [CChar](repeating: 0, count: 256)
    if av_strerror(code, &buf, buf.count) < 0 { return "error \(code)" }
    return String(cString: buf)
}

private func fourCC(_ s: String) -> UInt32 {
    s.utf8.reversed().reduce(0) { $0 << 8 | UInt32($1) }
}
