import CFFmpeg
import Foundation
import Imaging

/// Frames into a file people share: an animated WebP (libwebp_anim, lossy) or a GIF (one palette for
/// the whole clip, ordered dithering), both looping forever. Written through libavformat into a
/// temporary of our own (PartialFile, FFmpeg writing through an AVIOContext on its descriptor) and
/// renamed onto the target only by `finish()`; `cancel()` or an unfinished sink removes it.
///
/// A GIF's palette is made from every frame of the clip (`ClipPalette`), so its frames are kept (8-bit
/// RGB) until `finish()`; `memoryNeeded` says how much, for the caller to refuse before any work.
/// A WebP's frames go to the encoder as they arrive.
public final class AnimatedSink: FrameSink {
    public enum Format: String, Sendable, CaseIterable {
        case gif, webp

        /// By the output's extension (.gif, .webp; any case); nil for anything else.
        public init?(path: String) {
            let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
            self.init(rawValue: ext)
        }

        /// The libavcodec encoder, as recorded in the settings.
        public var encoder: String { self == .gif ? "gif" : "libwebp_anim" }
        public var name: String { self == .gif ? "GIF" : "animated WebP" }
    }

    public let path: String
    public let format: Format
    public let fps: Int
    public let fpsDenominator: Int
    public private(set) var framesWritten = 0
    public private(set) var frameSize: (width: Int, height: Int)?
    /// The finished file's size in bytes (set by `finish`).
    public private(set) var fileBytes: Int64?

    /// WebP quality 0...100 (libwebp's lossy scale): 80 kept the dream's fine texture at 640x360 while
    /// a 60-frame clip stayed near 2 MB.
    static let webpQuality = "80"

    private let file: PartialFile
    private var io: UnsafeMutablePointer<cffmpeg_fdio>
    private var fmt: UnsafeMutablePointer<AVFormatContext>?
    private var ctx: UnsafeMutablePointer<AVCodecContext>?
    private var stream: UnsafeMutablePointer<AVStream>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    /// GIF: every frame as interleaved RGB8, until the palette can be made from all of them.
    private var kept: [[UInt8]] = []
    private var keptBytes = 0
    /// The most a GIF keeps before it refuses more frames (a video input of unknown length).
    public static let maxKeptBytes = 2 << 30
    private var closed = false

    /// Bytes a GIF keeps in memory for `frames` frames of width x height (a WebP: none); nil when the
    /// product overflows.
    public static func memoryNeeded(format: Format, frames: Int, width: Int, height: Int) -> Int? {
        guard format == .gif else { return 0 }
        let (a, o1) = width.multipliedReportingOverflow(by: height)
        let (b, o2) = a.multipliedReportingOverflow(by: 3)
        let (c, o3) = b.multipliedReportingOverflow(by: max(frames, 0))
        return o1 || o2 || o3 ? nil : c
    }

    /// Checks the encoder and creates the temporary, so that a problem shows before any frame is made.
    public init(path: String, format: Format, fps: Int, fpsDenominator: Int = 1) throws {
        self.path = URL(fileURLWithPath: path).path
        self.format = format
        self.fps = fps
        self.fpsDenominator = fpsDenominator
        guard fps >= 1, fpsDenominator >= 1, fps <= 1000 * fpsDenominator else {
            throw AnimatedSinkError.badRate(fps: fps, denominator: fpsDenominator)
        }
        av_log_set_level(AV_LOG_ERROR)
        guard avcodec_find_encoder_by_name(format.encoder) != nil else {
            throw AnimatedSinkError.encoderNotAvailable(format.encoder)
        }
        do { file = try PartialFile(target: self.path) } catch {
            throw AnimatedSinkError.cannotCreate(path: self.path, reason: "\(error)")
        }
        io = .allocate(capacity: 1)
        io.initialize(to: cffmpeg_fdio(fd: file.descriptor, position: 0, end: 0, error: 0))
    }

    deinit {
        if !closed { cancel() }
        io.deallocate()
    }

    public func write(_ image: FloatImage) throws {
        guard !closed else { throw AnimatedSinkError.alreadyFinished }
        if let s = frameSize {
            guard s == (image.width, image.height) else {
                throw AnimatedSinkError.sizeChanged(expected: "\(s.width)x\(s.height)", got: "\(image.width)x\(image.height)")
            }
        } else {
            guard image.width > 0, image.height > 0, image.width <= 16383, image.height <= 16383 else {
                throw AnimatedSinkError.badSize(width: image.width, height: image.height, format: format)
            }
            frameSize = (image.width, image.height)
            if format == .webp { try open(width: image.width, height: image.height) }
        }
        var rgb = [UInt8](repeating: 0, count: 3 * image.width * image.height)
        interleaveRGB8(image, into: &rgb, paddedWidth: image.width, paddedHeight: image.height)
        switch format {
        case .gif:
            keptBytes += rgb.count
            guard keptBytes <= Self.maxKeptBytes else { throw AnimatedSinkError.tooManyFrames(path: path, frames: framesWritten) }
            kept.append(rgb)
        case .webp: try encode(rgb: rgb, index: framesWritten)
        }
        framesWritten += 1
    }

    /// Encodes what is left (a GIF: all of it, with the clip's palette), writes the trailer and renames
    /// the file onto the target.
    public func finish() throws {
        guard !closed else { throw AnimatedSinkError.alreadyFinished }
        guard framesWritten > 0, let (w, h) = frameSize else {
            cancel()
            throw AnimatedSinkError.noFrames(path: path)
        }
        do {
            if format == .gif {
                try open(width: w, height: h)
                let palette = ClipPalette(frames: kept, colours: 256)
                for (i, rgb) in kept.enumerated() {
                    try encodeIndexed(palette.dithered(rgb, width: w, height: h), palette: palette.colours, index: i)
                    kept[i] = []
                }
                kept = []
            }
            guard let ctx, let fmt else { throw AnimatedSinkError.encoderFailed(format.encoder, reason: "encoder not open") }
            let e = avcodec_send_frame(ctx, nil)
            guard e >= 0 else { throw AnimatedSinkError.encoderFailed(format.encoder, reason: avErrorString(e)) }
            try drain()
            var t = av_write_trailer(fmt)
            if t >= 0 { avio_flush(fmt.pointee.pb); t = io.pointee.error == 0 ? 0 : cffmpeg_averror(io.pointee.error) }
            guard t >= 0 else { throw AnimatedSinkError.writeFailed(path: path, reason: avErrorString(t)) }
            file.noteWritten(upTo: io.pointee.end)
            release()
            closed = true
            fileBytes = io.pointee.end
            try file.commit()
        } catch {
            cancel()
            throw error
        }
    }

    /// Abandons the file: frees the encoder and removes the temporary; the target is left untouched.
    public func cancel() {
        if closed && file.descriptor < 0 { return }
        closed = true
        release()
        file.discard()
    }

    // MARK: - internals

    private func open(width: Int, height: Int) throws {
        let fail = { (why: String) in AnimatedSinkError.encoderFailed(self.format.encoder, reason: why) }
        var f: UnsafeMutablePointer<AVFormatContext>?
        var err = avformat_alloc_output_context2(&f, nil, format.rawValue, nil)
        guard err >= 0, let f else { throw fail(avErrorString(err)) }
        fmt = f
        guard let pb = cffmpeg_fdio_context(io, 1) else { throw fail("out of memory") }
        f.pointee.pb = pb
        f.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        guard let codec = avcodec_find_encoder_by_name(format.encoder), let c = avcodec_alloc_context3(codec) else {
            throw AnimatedSinkError.encoderNotAvailable(format.encoder)
        }
        ctx = c
        c.pointee.width = Int32(width)
        c.pointee.height = Int32(height)
        c.pointee.pix_fmt = format == .gif ? AV_PIX_FMT_PAL8 : AV_PIX_FMT_BGRA
        c.pointee.time_base = AVRational(num: Int32(fpsDenominator), den: Int32(fps))
        c.pointee.framerate = AVRational(num: Int32(fps), den: Int32(fpsDenominator))
        if format == .webp {
            let e = av_opt_set(c.pointee.priv_data, "quality", Self.webpQuality, 0)
            guard e >= 0 else { throw fail("cannot set quality: \(avErrorString(e))") }
        }
        err = avcodec_open2(c, codec, nil)
        guard err >= 0 else { throw fail("cannot open at \(width)x\(height): \(avErrorString(err))") }
        guard let st = avformat_new_stream(f, nil) else { throw fail("cannot add a stream") }
        stream = st
        err = avcodec_parameters_from_context(st.pointee.codecpar, c)
        guard err >= 0 else { throw fail(avErrorString(err)) }
        st.pointee.time_base = c.pointee.time_base
        st.pointee.avg_frame_rate = c.pointee.framerate
        var options: OpaquePointer?
        // Both muxers take "loop": 0 plays forever (the WebP muxer's own default is once).
        av_dict_set(&options, "loop", "0", 0)
        err = avformat_write_header(f, &options)
        av_dict_free(&options)
        if err >= 0 { avio_flush(pb); err = io.pointee.error == 0 ? 0 : cffmpeg_averror(io.pointee.error) }
        guard err >= 0 else { throw AnimatedSinkError.writeFailed(path: path, reason: avErrorString(err)) }
        frame = av_frame_alloc()
        packet = av_packet_alloc()
        guard let fr = frame, packet != nil else { throw fail("out of memory") }
        fr.pointee.format = c.pointee.pix_fmt.rawValue
        fr.pointee.width = Int32(width)
        fr.pointee.height = Int32(height)
        err = av_frame_get_buffer(fr, 0)
        guard err >= 0 else { throw fail(avErrorString(err)) }
    }

    /// One WebP frame from interleaved RGB8 (as BGRA).
    private func encode(rgb: [UInt8], index: Int) throws {
        guard let fr = frame, let (w, h) = frameSize else { throw AnimatedSinkError.encoderFailed(format.encoder, reason: "encoder not open") }
        let e = av_frame_make_writable(fr)
        guard e >= 0 else { throw AnimatedSinkError.encoderFailed(format.encoder, reason: avErrorString(e)) }
        let stride = Int(fr.pointee.linesize.0)
        guard let dst = fr.pointee.data.0 else { throw AnimatedSinkError.encoderFailed(format.encoder, reason: "no frame buffer") }
        rgb.withUnsafeBufferPointer { src in
            for y in 0..<h {
                let row = dst + y * stride
                for x in 0..<w {
                    let s = 3 * (y * w + x)
                    row[4 * x] = src[s + 2]; row[4 * x + 1] = src[s + 1]; row[4 * x + 2] = src[s]; row[4 * x + 3] = 255
                }
            }
        }
        try send(fr, index: index)
    }

    /// One GIF frame: palette indices and the clip's palette.
    private func encodeIndexed(_ indices: [UInt8], palette: [(UInt8, UInt8, UInt8)], index: Int) throws {
        guard let fr = frame, let (w, h) = frameSize else { throw AnimatedSinkError.encoderFailed(format.encoder, reason: "encoder not open") }
        let e = av_frame_make_writable(fr)
        guard e >= 0 else { throw AnimatedSinkError.encoderFailed(format.encoder, reason: avErrorString(e)) }
        let stride = Int(fr.pointee.linesize.0)
        guard let dst = fr.pointee.data.0, let pal = fr.pointee.data.1 else {
            throw AnimatedSinkError.encoderFailed(format.encoder, reason: "no frame buffer")
        }
        indices.withUnsafeBufferPointer { src in
            for y in 0..<h { (dst + y * stride).update(from: src.baseAddress! + y * w, count: w) }
        }
        // AVPALETTE: 256 native-endian 0xAARRGGBB words.
        pal.withMemoryRebound(to: UInt32.self, capacity: 256) { words in
            for i in 0..<256 {
                let (r, g, b) = i < palette.count ? palette[i] : (0, 0, 0)
                words[i] = 0xFF00_0000 | UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b)
            }
        }
        try send(fr, index: index)
    }

    private func send(_ fr: UnsafeMutablePointer<AVFrame>, index: Int) throws {
        guard let ctx else { return }
        fr.pointee.pts = Int64(index)
        let e = avcodec_send_frame(ctx, fr)
        guard e >= 0 else { throw AnimatedSinkError.encoderFailed(format.encoder, reason: avErrorString(e)) }
        try drain()
    }

    private func drain() throws {
        guard let ctx, let fmt, let pkt = packet, let st = stream else { return }
        while true {
            let r = avcodec_receive_packet(ctx, pkt)
            if r == cffmpeg_averror_eagain() || r == cffmpeg_averror_eof() { return }
            guard r >= 0 else { throw AnimatedSinkError.encoderFailed(format.encoder, reason: avErrorString(r)) }
            if pkt.pointee.duration == 0 { pkt.pointee.duration = 1 }
            av_packet_rescale_ts(pkt, ctx.pointee.time_base, st.pointee.time_base)
            pkt.pointee.stream_index = st.pointee.index
            let w = av_interleaved_write_frame(fmt, pkt)
            guard w >= 0, io.pointee.error == 0 else {
                throw AnimatedSinkError.writeFailed(path: path, reason: w < 0 ? avErrorString(w) : String(cString: strerror(io.pointee.error)))
            }
        }
    }

    private func release() {
        if frame != nil { av_frame_free(&frame) }
        if packet != nil { av_packet_free(&packet) }
        if ctx != nil { avcodec_free_context(&ctx) }
        if let f = fmt {
            if f.pointee.pb != nil { cffmpeg_fdio_context_free(&f.pointee.pb) }
            avformat_free_context(f)
            fmt = nil
        }
        kept = []
    }
}

public enum AnimatedSinkError: Error, CustomStringConvertible, Equatable {
    case encoderNotAvailable(String)
    case badRate(fps: Int, denominator: Int)
    case badSize(width: Int, height: Int, format: AnimatedSink.Format)
    case cannotCreate(path: String, reason: String)
    case encoderFailed(String, reason: String)
    case writeFailed(path: String, reason: String)
    case sizeChanged(expected: String, got: String)
    case noFrames(path: String)
    case tooManyFrames(path: String, frames: Int)
    case alreadyFinished

    public var description: String {
        switch self {
        case let .encoderNotAvailable(name):
            return "the \(name) encoder is not in this FFmpeg build; write an MP4 instead (-o out.mp4)"
        case let .badRate(fps, den):
            return "fps must be 1...1000, got \(den == 1 ? "\(fps)" : "\(fps)/\(den)")"
        case let .badSize(w, h, format):
            return "cannot write a \(w)x\(h) \(format.name): each side must be 1...16383 pixels; make it smaller"
        case let .cannotCreate(path, reason):
            return "cannot create \(path): \(reason); check that the directory exists and is writable"
        case let .encoderFailed(name, reason):
            return "\(name) encoder failed: \(reason)"
        case let .writeFailed(path, reason):
            return "cannot write \(path): \(reason); check free space and that the directory still exists"
        case let .sizeChanged(expected, got):
            return "frame size changed from \(expected) to \(got) in one animation; every frame must have the same size"
        case let .noFrames(path):
            return "no frames were written to \(path), so nothing was made"
        case let .tooManyFrames(path, frames):
            return "\(path): a GIF keeps its frames in memory until its palette is made, and \(frames) frames fill 2 GB; make fewer or smaller frames, or write an animated WebP or an MP4"
        case .alreadyFinished:
            return "the animation was already finished or cancelled"
        }
    }
}
