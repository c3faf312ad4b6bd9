import CFFmpeg
import Foundation
import Imaging

/// Encodes frames into an MP4 as they arrive, through libavcodec/libavformat/libswscale in-process.
///
/// The video is yuv420p (or, with `Options.chroma` 444, yuv444p; yuv444p10le for libx265), tagged BT.709 limited range, constant frame rate `fps`. The file is written
/// to a hidden temporary of our own (PartialFile: unique name, O_EXCL|O_NOFOLLOW, handed to FFmpeg
/// through an AVIOContext on the descriptor) and renamed onto the target only by `finish()`;
/// `cancel()` (or dropping the sink unfinished) removes the temporary.
///
/// While frames arrive the file is a fragmented MP4 (an empty moov first, then a moof+mdat fragment
/// about every second), so every prefix of it that ends on a fragment plays: a stop at any moment, a
/// full disk or a killed process keep what was whole. `finish()` then rewrites it as an ordinary MP4
/// with the moov first (+faststart, which plays while downloading) when the disk has room for the
/// copy, and otherwise keeps the fragmented file, which plays too (`layout` says which).
///
/// Disk space for what a stop must still write (the encoder's delayed frames, the fragment being
/// built, the index) is held ahead of the data (fallocate); when it cannot be extended, or the
/// process's file-size limit is near, `lowOnSpace` says why and the caller stops after the frame:
/// `finish()` then writes into the space held, so the video keeps every frame it was given.
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
    private var io: UnsafeMutablePointer<cffmpeg_fdio>
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
    /// The source whose audio is copied in (options.audioSource), opened by init, or the decoded
    /// music encoded to AAC (options.music).
    private var audio: AudioTrack?

    /// Why the render should stop after this frame (the disk, or the file-size limit, cannot take
    /// more than the space held for finishing); nil while there is room.
    public private(set) var lowOnSpace: String?
    /// How the finished file is laid out.
    public enum Layout: String, Sendable { case faststart, fragmented }
    public private(set) var layout: Layout?
    /// The temporary the frames go to (for tests and messages).
    public var temporaryPath: String { file.temporary }

    /// What a stop from another thread may use: the end of the last whole fragment and whether the
    /// fragmented file is complete (its trailer written).
    private let lock = NSLock()
    private var wholeEnd: Int64 = 0
    private var fragmentedComplete = false
    private var committed = false
    /// The faststart copy being written by finish(), removed by a stop that cannot wait.
    private var rewriteTemporary: String?
    /// Video packets in the fragment being built, and the largest packet and encoder delay seen:
    /// what sizes the space held ahead.
    private var packetsInFragment = 0
    private var largestPacket = 0
    private var largestDelay = 0
    private var packetsOut = 0
    /// Video packets in the file (copied and new) and the latest frame among them: when the latest
    /// frame is the count's last, the packets so far show frames 0 ..< count without a gap (with
    /// B-frames, a packet boundary in decoding order often leaves one), and only there is a fragment cut.
    private var packetsMuxed = 0
    private var latestFrame = -1
    private var atGaplessPoint: Bool { latestFrame + 1 == packetsMuxed }
    private var canReserve = true

    /// Validates the options, checks that the encoder exists and creates the temporary output file,
    /// so that every configuration error shows before any frame is computed.
    public init(path: String, options: Options = Options(), continuing previous: String? = nil) throws {
        self.options = options
        self.path = URL(fileURLWithPath: path).path
        self.previous = previous
        io = .allocate(capacity: 1)
        io.initialize(to: cffmpeg_fdio(fd: -1, position: 0, end: 0, error: 0))
        do {
            try Self.validate(options)
            previousFrames = try previous.map { try Self.countFrames(in: $0) } ?? 0
        } catch {
            io.deallocate()
            throw error
        }
        // x264 and friends log every setting at info level; only real errors should reach the terminal.
        av_log_set_level(AV_LOG_ERROR)
        guard avcodec_find_encoder_by_name(options.codec) != nil else {
            io.deallocate()
            throw MP4SinkError.encoderNotAvailable(options.codec)
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: self.path, isDirectory: &isDirectory), isDirectory.boolValue {
            io.deallocate()
            throw MP4SinkError.targetIsDirectory(path: self.path)
        }
        do { file = try Self.createTemporary(for: self.path) } catch {
            io.deallocate()
            throw error
        }
        // The muxer is named: FFmpeg opens no path of ours (it writes through `io`).
        var fmt: UnsafeMutablePointer<AVFormatContext>?
        let err = avformat_alloc_output_context2(&fmt, nil, "mp4", nil)
        guard err >= 0, let fmt else {
            file.discard()
            throw MP4SinkError.cannotCreateOutput(directory: file.directory, reason: avErrorString(err))
        }
        format = fmt
        io.pointee = cffmpeg_fdio(fd: file.descriptor, position: 0, end: 0, error: 0)
        if let source = options.audioSource {
            if previous != nil {
                avformat_free_context(fmt); format = nil; file.discard()
                throw MP4SinkError.invalidOption("an audio stream cannot be added to a continued video")
            }
            do { audio = try AudioCopy(source: source, container: fmt.pointee.oformat) } catch {
                avformat_free_context(fmt); format = nil; file.discard()
                throw error
            }
        }
        if let music = options.music {
            // The sound is encoded from time zero whatever a continued video holds: its own packets
            // are copied without their sound, and the whole track is made anew.
            audio = AudioEncode(music)
        }
        closed = false   // from here a throw runs deinit -> cancel(), which frees all and removes the temporary
        guard let pb = cffmpeg_fdio_context(io, 1) else {
            throw MP4SinkError.cannotCreateOutput(directory: file.directory, reason: "out of memory")
        }
        fmt.pointee.pb = pb
        fmt.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
    }

    /// Opens the temporary (the one step of init that touches the disk), mapping its errno.
    private static func createTemporary(for path: String) throws -> PartialFile {
        do { return try PartialFile(target: path) } catch {
            let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
            throw MP4SinkError.cannotCreateOutput(directory: dir, reason: "\(error)")
        }
    }

    deinit {
        if !closed { cancel() }
        file.discard()
        io.deallocate()
    }

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
        largestDelay = max(largestDelay, framesWritten - packetsOut)
        if packetsInFragment >= fragmentPackets && atGaplessPoint { try flushFragment() }
        holdSpaceAhead()
    }

    /// About one second of video per fragment: what a stop at the worst moment loses when nothing
    /// could be held ahead (a file system without fallocate), and what a player reads at a time.
    private var fragmentPackets: Int { max(1, (options.fps + options.fpsDenominator / 2) / options.fpsDenominator) }

    /// Writes the fragment built so far to the file and notes where the whole part of the file ends.
    private func flushFragment() throws {
        guard let fmt = format else { return }
        // av_write_frame(NULL) on a muxer with frag_custom writes the fragment it holds.
        var e = av_write_frame(fmt, nil)
        if e >= 0 { avio_flush(fmt.pointee.pb); e = io.pointee.error == 0 ? 0 : cffmpeg_averror(io.pointee.error) }
        guard e >= 0 else { throw MP4SinkError.writeFailed(path: path, reason: avErrorString(e)) }
        packetsInFragment = 0
        file.noteWritten(upTo: io.pointee.end)
        lock.withLock { wholeEnd = io.pointee.end }
    }

    /// Keeps disk space held past the data for everything `finish()` must still write: the frames the
    /// encoder holds (its delay), the fragment being built and the index, each counted at the largest
    /// packet seen (x264 at 640x360: 40 frames of delay; the first I-frame is the largest packet), and
    /// before any packet at 8 raw frames. When the space cannot be held, `lowOnSpace` says why.
    private func holdSpaceAhead() {
        guard lowOnSpace == nil, let (w, h) = encodedSize else { return }
        let rawFrame = w * h * 3 / 2
        let packets = largestDelay + fragmentPackets + 8
        var ahead = Int64(max(8 * rawFrame, packets * largestPacket)) + 256 * 1024
        if audio != nil { ahead += Int64(packets) * 64 * 1024 / Int64(fragmentPackets) }   // AAC at up to 512 kbit/s
        let end = io.pointee.end
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max, end + ahead > Int64(limit.rlim_cur) {
            lowOnSpace = "the file size limit (ulimit -f, \(limit.rlim_cur) bytes) is reached"
            return
        }
        guard canReserve, file.reserved < end + ahead else { return }
        if let e = file.reserve(upTo: end + ahead + ahead / 2) {
            if e == EOPNOTSUPP || e == ENOSYS { canReserve = false; return }
            lowOnSpace = String(cString: strerror(e))
        }
    }

    /// Flushes the encoder, writes the last fragment and the index, rewrites the file with its moov
    /// first when there is room for the copy (else keeps it fragmented), and renames it onto the target.
    /// A write that fails here still leaves the whole fragments under the target
    /// (`MP4SinkError.writeFailedKeeping`).
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
            try audio?.end(at: seconds(ofFrame: previousFrames + framesWritten), into: fmt, path: path)
            var e = av_write_trailer(fmt)
            if e >= 0 { avio_flush(fmt.pointee.pb); e = io.pointee.error == 0 ? 0 : cffmpeg_averror(io.pointee.error) }
            guard e >= 0 else { throw MP4SinkError.writeFailed(path: path, reason: avErrorString(e)) }
            file.noteWritten(upTo: io.pointee.end)
            lock.withLock { wholeEnd = io.pointee.end; fragmentedComplete = true }
        } catch {
            let kept = keepWholeFragments()
            throw MP4SinkError.writeFailedKeeping(path: path, reason: "\(error)", frames: kept)
        }
        release()
        closed = true
        file.releaseReservation()
        // The ordinary layout needs a second copy of the file: on a disk that filled it may not fit
        // (the space held for the checkpoint and the settings is not touched), and then the fragmented
        // file, which plays, is kept.
        var rewritten: PartialFile?
        if let copy = try? PartialFile(target: path) {
            lock.withLock { rewriteTemporary = copy.temporary }
            if (try? MP4Faststart.rewrite(from: file.descriptor, into: copy)) != nil {
                rewritten = copy
            } else {
                copy.discard()
            }
        }
        do {
            let done = lock.withLock { () -> Bool in
                if committed { return true }   // a third signal kept the file meanwhile
                committed = true
                return false
            }
            if done { return }
            if let rewritten {
                try rewritten.commit()
                file.discard()
                layout = .faststart
            } else {
                try file.commit()
                layout = .fragmented
            }
        } catch {
            rewritten?.discard()
            file.discard()
            throw MP4SinkError.writeFailed(path: path, reason: "\(error)")
        }
    }

    /// After a failed write: the file cut at its last whole fragment, renamed onto the target when it
    /// holds any frame (else removed). Returns the frames it holds.
    private func keepWholeFragments() -> Int {
        let end = lock.withLock { () -> Int64? in
            if committed { return nil }
            committed = true
            return wholeEnd
        }
        release()
        closed = true
        guard let end, end > 0, (try? file.truncate(to: end)) != nil, (try? file.commit()) != nil else {
            file.discard()
            return 0
        }
        layout = .fragmented
        return (try? Self.countFrames(in: path)) ?? 0
    }

    /// For a stop that cannot wait (a third Ctrl-C, from another thread while the render thread may be
    /// inside this sink): keeps the whole part of what was written under the target, the complete
    /// fragmented file if its trailer was written, else the file cut at its last whole fragment.
    /// A continued video (`previous`) is left as it was instead, so that its checkpoint still fits.
    /// Only system calls: nothing here waits for the render thread. Returns what the target holds.
    @discardableResult
    public func abandonKeepingWhatIsWhole() -> Abandoned {
        let (end, complete, done) = lock.withLock { () -> (Int64, Bool, Bool) in
            let was = committed
            committed = true
            return (wholeEnd, fragmentedComplete, was)
        }
        if done { return .finished }
        // Writes still under way on the render's thread fail from here on (the C callback checks this
        // first), so nothing lands past the cut.
        io.pointee.error = ECANCELED
        if let copy = lock.withLock({ rewriteTemporary }) { unlink(copy) }
        if previous != nil {
            unlink(file.temporary)
            return .asBefore
        }
        if end == 0 {
            unlink(file.temporary)
            return .nothing
        }
        if !complete { _ = ftruncate(file.descriptor, off_t(end)) }
        if rename(file.temporary, path) != 0 { unlink(file.temporary); return .nothing }
        return .wholeFragments
    }

    /// What `abandonKeepingWhatIsWhole` left under the target.
    public enum Abandoned: Sendable {
        /// The video was finished before the stop.
        case finished
        /// A continued video, left as it was before this run.
        case asBefore
        /// The frames of every fragment written whole (all of them when the trailer was written).
        case wholeFragments
        /// No fragment was whole yet: no video.
        case nothing
    }

    /// Encodes `frames` as a sink of `options` writing to `path` would, and keeps nothing: a second
    /// sink of the same options (without sound) writes them into its own temporary beside `path`,
    /// drains the encoder (it holds frames back for its lookahead, so the time of encoding them is
    /// only spent by the end) and removes the temporary. `path` is never created or touched. For
    /// timing what writing a frame costs before the first one is written (the render's forecast).
    /// `temporary` is told the probe's temporary once it exists and nil once it is removed, for a
    /// stop that ends the process meanwhile to remove it.
    public static func encodeWithoutKeeping(_ frames: [FloatImage], beside path: String, options: Options,
                                            temporary: (String?) -> Void = { _ in }) throws {
        var silent = options
        silent.audioSource = nil
        silent.music = nil
        let probe = try MP4Sink(path: path, options: silent)
        temporary(probe.temporaryPath)
        defer { probe.cancel(); temporary(nil) }
        for frame in frames { try probe.write(frame) }
        guard let ctx = probe.codecContext else { return }
        let err = avcodec_send_frame(ctx, nil)
        guard err >= 0 else { throw MP4SinkError.encoderFailed(codec: options.codec, reason: avErrorString(err)) }
        try probe.drainPackets()
    }

    /// Abandons the video: frees the encoder and removes the temporary. The target is left untouched.
    public func cancel() {
        if closed { return }
        closed = true
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
        // Fragments we cut ourselves (frag_custom, see flushFragment) after an empty moov; offsets from
        // each moof (default_base_moof), as browsers' MSE and the DASH/CMAF profiles expect.
        av_dict_set(&muxOptions, "movflags", "+frag_custom+empty_moov+default_base_moof", 0)
        err = avformat_write_header(fmt, &muxOptions)
        av_dict_free(&muxOptions)
        if err >= 0 { avio_flush(fmt.pointee.pb); err = io.pointee.error == 0 ? 0 : cffmpeg_averror(io.pointee.error) }
        guard err >= 0 else { throw MP4SinkError.writeFailed(path: path, reason: avErrorString(err)) }
        if let input {
            try copyPackets(from: input, stream: inputStream)
            try flushFragment()
        }

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
        // The video being continued is read with the same whitelists as any video input: a file put
        // in its place that is a playlist or a script opens nothing else.
        var options = MediaInput.whitelistOptions()
        defer { av_dict_free(&options) }
        var err = avformat_open_input(&input, path, nil, &options)
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
        // The first picture at 0, whether the earlier file was rewritten (an edit list puts it there)
        // or kept fragmented (it starts after the B-frame delay): the new frames are numbered from it.
        var shift: Int64?
        var copied = 0
        while true {
            var err = av_read_frame(input, pkt)
            if err == cffmpeg_averror_eof() { break }
            guard err >= 0 else { throw MP4SinkError.cannotContinue(previous: previous ?? "", reason: avErrorString(err)) }
            defer { av_packet_unref(pkt) }
            guard pkt.pointee.stream_index == index else { continue }
            if let n = copiedLengthSize { try toAnnexB(pkt, lengthSize: n) }
            let nopts = cffmpeg_nopts_value()
            if shift == nil { shift = pkt.pointee.pts == nopts ? 0 : pkt.pointee.pts }
            if pkt.pointee.pts != nopts { pkt.pointee.pts -= shift! }
            if pkt.pointee.dts != nopts { pkt.pointee.dts -= shift! }
            if pkt.pointee.pts != nopts, let ctx = codecContext {
                let frame = av_rescale_q(pkt.pointee.pts, inBase, ctx.pointee.time_base)
                latestFrame = max(latestFrame, Int(frame))
            }
            packetsMuxed += 1
            av_packet_rescale_ts(pkt, inBase, st.pointee.time_base)
            pkt.pointee.stream_index = st.pointee.index
            pkt.pointee.pos = -1
            err = av_interleaved_write_frame(fmt, pkt)
            guard err >= 0 else { throw MP4SinkError.writeFailed(path: path, reason: avErrorString(err)) }
            copied += 1
            packetsInFragment += 1
            if packetsInFragment >= fragmentPackets && atGaplessPoint { try flushFragment() }
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
            if pkt.pointee.pts != cffmpeg_nopts_value() { latestFrame = max(latestFrame, Int(pkt.pointee.pts)) }
            av_packet_rescale_ts(pkt, ctx.pointee.time_base, st.pointee.time_base)
            pkt.pointee.stream_index = st.pointee.index
            let end = pkt.pointee.pts == cffmpeg_nopts_value() ? nil : pkt.pointee.pts + pkt.pointee.duration
            let endSeconds = end.map { Double($0) * av_q2d(st.pointee.time_base) }
            largestPacket = max(largestPacket, Int(pkt.pointee.size))
            packetsOut += 1
            packetsInFragment += 1
            packetsMuxed += 1
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
            if fmt.pointee.pb != nil { cffmpeg_fdio_context_free(&fmt.pointee.pb) }
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
