import CFFmpeg
import Foundation

/// Opens a video for reading through libavformat, from a file or from bytes in memory, with only the
/// demuxers of self-contained video files allowed and only the `file` protocol.
///
/// Why: libavformat picks a demuxer by content, not by name. A playlist (HLS `.m3u8`), a concat
/// script (`ffconcat`), an image-sequence pattern or a text "video" renamed `clip.mp4` would otherwise
/// be opened and would in turn open other files on the machine, or URLs. The whitelist below holds
/// containers that carry their frames inside themselves; everything else is refused by name.
enum MediaInput {
    /// Demuxers a person feeds as a video (libavformat matches each against a demuxer's comma-separated
    /// names: "mov" covers mov,mp4,m4a,3gp,3g2,mj2; "matroska" covers matroska,webm). Not here on
    /// purpose: hls, dash, concat, image2 and the *_pipe image demuxers (pictures go through
    /// ImageDecoder), tty and other text formats, data, and any demuxer that opens further URLs.
    static let allowedDemuxers: Set<String> = [
        "mov", "matroska", "avi", "mpegts", "mpeg", "mpegvideo", "ogg", "flv", "asf", "gif", "apng",
        "ivf", "m4v", "h264", "hevc", "yuv4mpegpipe", "nut", "mxf", "dv", "rm",
    ]
    static let formatWhitelist = allowedDemuxers.sorted().joined(separator: ",")
    /// Audio-only files, for reading audio (never for the video reader): the same rule, files that hold
    /// their samples themselves.
    static let audioDemuxers: Set<String> = ["wav", "w64", "aiff", "mp3", "flac", "aac", "ac3", "eac3", "caf"]

    /// Only plain files: whatever a whitelisted demuxer might still try to open (none should) stays on
    /// this machine's file system.
    static let protocolWhitelist = "file"

    /// A container opened from `path`; the caller closes it with avformat_close_input.
    static func open(path: String) throws -> UnsafeMutablePointer<AVFormatContext> {
        var format: UnsafeMutablePointer<AVFormatContext>?
        var options = whitelistOptions()
        defer { av_dict_free(&options) }
        let err = avformat_open_input(&format, path, nil, &options)
        guard err >= 0, let fmt = format else {
            throw refusal(head: Self.head(of: path), name: path, code: err)
        }
        return fmt
    }

    /// The libavformat options that hold the whitelists (with the audio-only demuxers for `audio`).
    static func whitelistOptions(audio: Bool = false) -> OpaquePointer? {
        var options: OpaquePointer?
        let formats = audio ? allowedDemuxers.union(audioDemuxers).sorted().joined(separator: ",") : formatWhitelist
        av_dict_set(&options, "format_whitelist", formats, 0)
        av_dict_set(&options, "protocol_whitelist", protocolWhitelist, 0)
        return options
    }

    /// Why a file could not be opened: a container outside the whitelist is named (so the person knows
    /// it was refused on purpose), anything else gets libavformat's reason.
    static func refusal(head: [UInt8], name: String, code: Int32) -> VideoReadError {
        if let format = probedFormat(head, name: name), !isAllowed(format.name) {
            return .refusedFormat(path: name, format: format.longName)
        }
        return .cannotOpen(path: name, reason: avErrorString(code))
    }

    /// Whether a demuxer (by its comma-separated names) is on the whitelist.
    static func isAllowed(_ demuxerNames: String) -> Bool {
        demuxerNames.split(separator: ",").contains { allowedDemuxers.contains(String($0)) }
    }

    /// The demuxer libavformat would pick for these first bytes, whether or not it is allowed.
    static func probedFormat(_ head: [UInt8], name: String) -> (name: String, longName: String)? {
        guard !head.isEmpty else { return nil }
        // libavformat reads past the end of the probe buffer by up to AVPROBE_PADDING_SIZE zero bytes.
        var padded = head + [UInt8](repeating: 0, count: Int(AVPROBE_PADDING_SIZE))
        return padded.withUnsafeMutableBufferPointer { buf in
            name.withCString { cname in
                var pd = AVProbeData()
                pd.filename = cname
                pd.buf = buf.baseAddress
                pd.buf_size = Int32(head.count)
                guard let f = av_probe_input_format(&pd, 1) else { return nil }
                let long = f.pointee.long_name.map { String(cString: $0) } ?? String(cString: f.pointee.name)
                return (String(cString: f.pointee.name), long)
            }
        }
    }

    /// The first bytes of a file (for naming its format in an error).
    static func head(of path: String, count: Int = 4096) -> [UInt8] {
        guard let fh = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? fh.close() }
        return [UInt8]((try? fh.read(upToCount: count)) ?? Data())
    }
}

/// Bytes in memory served to libavformat through an AVIOContext of our own (read and seek), so that a
/// video can be probed and decoded without a file (the fuzz target reads its input this way).
final class MemoryInput {
    let bytes: [UInt8]
    private var position = 0
    private(set) var context: UnsafeMutablePointer<AVIOContext>?

    init(bytes: [UInt8]) throws {
        self.bytes = bytes
        let size: Int32 = 1 << 15
        guard let buffer = av_malloc(Int(size)) else { throw VideoReadError.decoderFailed(path: "memory", reason: "out of memory") }
        let opaque = Unmanaged.passUnretained(self).toOpaque()
        context = avio_alloc_context(buffer.assumingMemoryBound(to: UInt8.self), size, 0, opaque, { opaque, buf, want in
            let me = Unmanaged<MemoryInput>.fromOpaque(opaque!).takeUnretainedValue()
            return me.read(into: buf, count: Int(want))
        }, nil, { opaque, offset, whence in
            let me = Unmanaged<MemoryInput>.fromOpaque(opaque!).takeUnretainedValue()
            return me.seek(offset, whence: whence)
        })
        if context == nil {
            av_free(buffer)
            throw VideoReadError.decoderFailed(path: "memory", reason: "out of memory")
        }
    }

    deinit {
        // libavformat may have replaced the buffer; free the one the context holds now.
        if let c = context {
            av_freep(&c.pointee.buffer)
            avio_context_free(&context)
        }
    }

    private func read(into buf: UnsafeMutablePointer<UInt8>?, count: Int) -> Int32 {
        guard let buf, count > 0 else { return 0 }
        let n = min(count, bytes.count - position)
        if n <= 0 { return cffmpeg_averror_eof() }
        bytes.withUnsafeBufferPointer { src in buf.update(from: src.baseAddress! + position, count: n) }
        position += n
        return Int32(n)
    }

    private func seek(_ offset: Int64, whence: Int32) -> Int64 {
        if whence & AVSEEK_SIZE != 0 { return Int64(bytes.count) }
        let base: Int64
        switch whence & ~AVSEEK_FORCE {
        case SEEK_SET: base = 0
        case SEEK_CUR: base = Int64(position)
        case SEEK_END: base = Int64(bytes.count)
        default: return -1
        }
        let (target, overflow) = base.addingReportingOverflow(offset)
        guard !overflow, target >= 0, target <= Int64(bytes.count) else { return -1 }
        position = Int(target)
        return target
    }
}
