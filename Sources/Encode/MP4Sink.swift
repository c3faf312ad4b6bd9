import CFFmpeg
import Foundation
import FrameLoop

/// Encodes frames into an MP4 as they arrive, through libavcodec/libavformat/libswscale in-process.
///
/// The video is yuv420p, tagged BT.709 limited range, constant frame rate `fps`. The file is written
/// to `dir/.name.partial` and renamed onto the target only by `finish()`; `cancel()` (or dropping the
/// sink unfinished) removes the temporary, so a file under the target name is always complete.
/// The moov atom is placed before the media data (+faststart) so the video plays while downloading.
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

    /// Validates the options, checks that the encoder exists and creates the temporary output file,
    /// so that every configuration error shows before any frame is computed.
    public init(path: String, options: Options = Options()) throws {
        self.options = options
        file = PartialFile(target: path)
        self.path = file.target
        try Self.validate(options)
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
        frame.pointee.pts = Int64(framesWritten)
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
        let rate = AVRational(num: Int32(options.fps), den: 1)
        ctx.pointee.width = Int32(w)
        ctx.pointee.height = Int32(h)
        ctx.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        ctx.pointee.time_base = AVRational(num: 1, den: Int32(options.fps))
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
        if options.codec == "libx265" {
            // Apple players only accept HEVC in MP4 under the 'hvc1' tag.
            st.pointee.codecpar.pointee.codec_tag = fourCC("hvc1")
        }
        st.pointee.time_base = ctx.pointee.time_base
        st.pointee.avg_frame_rate = rate
        st.pointee.r_frame_rate = rate

        var muxOptions: OpaquePointer?
        av_dict_set(&muxOptions, "movflags", "+faststart", 0)
        err = avformat_write_header(fmt, &muxOptions)
        av_dict_free(&muxOptions)
        guard err >= 0 else { throw MP4SinkError.writeFailed(path: path, reason: avErrorString(err)) }

        // RGB is full range; tell swscale to produce BT.709 limited range, matching the tags above.
        guard let sws = sws_getContext(Int32(w), Int32(h), AV_PIX_FMT_RGB24, Int32(w), Int32(h), AV_PIX_FMT_YUV420P,
                                       SWS_BICUBIC | SWS_ACCURATE_RND, nil, nil, nil) else {
            throw fail("cannot create the RGB to yuv420p converter")
        }
        scaler = sws
        let bt709 = sws_getCoefficients(SWS_CS_ITU709)
        sws_setColorspaceDetails(sws, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16)

        guard let f = av_frame_alloc(), let p = av_packet_alloc() else { throw fail("out of memory") }
        frame = f
        packet = p
        f.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        f.pointee.width = Int32(w)
        f.pointee.height = Int32(h)
        err = av_frame_get_buffer(f, 0)
        guard err >= 0 else { throw fail(avErrorString(err)) }
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
            let w = av_interleaved_write_frame(fmt, pkt)
            guard w >= 0 else { throw MP4SinkError.writeFailed(path: path, reason: avErrorString(w)) }
        }
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
