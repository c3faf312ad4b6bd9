import CFFmpeg
import Foundation

/// Copies one file's audio packets into an MP4 being written, unchanged (no decoding, no generation
/// loss), in step with the video: `copy(until:)` is called as video packets go out, so the two
/// streams are interleaved in the file the way players read them.
///
/// Time zero of the output is the source's first video frame: the audio keeps its place against the
/// picture when the source's streams do not start at the same time.
final class AudioCopy {
    let source: String
    private var input: UnsafeMutablePointer<AVFormatContext>?
    private let index: Int32
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var pending = false
    private var ended = false
    /// The source's first video timestamp, in the audio stream's time base.
    private let offset: Int64
    private var output: UnsafeMutablePointer<AVStream>?
    private(set) var packetsCopied = 0

    /// Opens `source` and checks that its audio can go into an MP4 as it is.
    init(source: String, container: UnsafePointer<AVOutputFormat>) throws {
        self.source = source
        func fail(_ why: String) -> MP4SinkError { .audio(source: source, reason: why) }
        // The video reader's demuxers and protocol, and audio files (a playlist cannot bring in other files).
        var options = MediaInput.whitelistOptions(audio: true)
        defer { av_dict_free(&options) }
        var err = avformat_open_input(&input, source, nil, &options)
        guard err >= 0, let ctx = input else { throw fail(avErrorString(err)) }
        err = avformat_find_stream_info(ctx, nil)
        let a = av_find_best_stream(ctx, AVMEDIA_TYPE_AUDIO, -1, -1, nil, 0)
        guard err >= 0, a >= 0 else {
            avformat_close_input(&input)
            throw fail("it has no audio stream")
        }
        index = a
        let par = ctx.pointee.streams[Int(a)]!.pointee.codecpar!
        let codecName = String(cString: avcodec_get_name(par.pointee.codec_id))
        // 1: the muxer stores it; 0 or below: it cannot (e.g. PCM in MP4, Vorbis before FFmpeg 6).
        guard avformat_query_codec(container, par.pointee.codec_id, FF_COMPLIANCE_NORMAL) == 1 else {
            avformat_close_input(&input)
            throw fail("its \(codecName) audio cannot be stored in an MP4 without re-encoding; convert it first, e.g. ffmpeg -i \(source) -c:v copy -c:a aac fixed.mp4")
        }
        let audioBase = ctx.pointee.streams[Int(a)]!.pointee.time_base
        let v = av_find_best_stream(ctx, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        var start: Int64 = 0
        if v >= 0 {
            let vs = ctx.pointee.streams[Int(v)]!.pointee
            if vs.start_time != cffmpeg_nopts_value() { start = av_rescale_q(vs.start_time, vs.time_base, audioBase) }
        }
        offset = start
        packet = av_packet_alloc()
        guard packet != nil else { avformat_close_input(&input); throw fail("out of memory") }
    }

    deinit {
        if packet != nil { av_packet_free(&packet) }
        if input != nil { avformat_close_input(&input) }
    }

    /// Adds the audio stream to `format` (before its header is written).
    func addStream(to format: UnsafeMutablePointer<AVFormatContext>) throws {
        guard let ctx = input, let st = avformat_new_stream(format, nil) else {
            throw MP4SinkError.audio(source: source, reason: "cannot add an audio stream")
        }
        let inStream = ctx.pointee.streams[Int(index)]!
        let err = avcodec_parameters_copy(st.pointee.codecpar, inStream.pointee.codecpar)
        guard err >= 0 else { throw MP4SinkError.audio(source: source, reason: avErrorString(err)) }
        // The source container's tag may mean nothing in MP4: let the muxer choose.
        st.pointee.codecpar.pointee.codec_tag = 0
        st.pointee.time_base = inStream.pointee.time_base
        output = st
    }

    /// Writes the audio packets that start before `seconds` (output time), in order.
    func copy(until seconds: Double, into format: UnsafeMutablePointer<AVFormatContext>, path: String) throws {
        guard let ctx = input, let pkt = packet, let out = output else { return }
        let inBase = ctx.pointee.streams[Int(index)]!.pointee.time_base
        while !ended {
            if !pending {
                let r = av_read_frame(ctx, pkt)
                if r < 0 { ended = true; return }
                if pkt.pointee.stream_index != index { av_packet_unref(pkt); continue }
                pending = true
            }
            let nopts = cffmpeg_nopts_value()
            let ts = pkt.pointee.pts != nopts ? pkt.pointee.pts : pkt.pointee.dts
            if ts != nopts && Double(ts - offset) * av_q2d(inBase) >= seconds { return }
            if ts != nopts && ts + pkt.pointee.duration < offset {
                // Sound from before the first picture: not part of the dreamed video. (A packet that
                // ends exactly at the first picture is kept: AAC's priming packet, which the decoder
                // needs and the container's edit list hides.)
                av_packet_unref(pkt); pending = false; continue
            }
            if pkt.pointee.pts != nopts { pkt.pointee.pts -= offset }
            if pkt.pointee.dts != nopts { pkt.pointee.dts -= offset }
            av_packet_rescale_ts(pkt, inBase, out.pointee.time_base)
            pkt.pointee.stream_index = out.pointee.index
            pkt.pointee.pos = -1
            pending = false
            // Takes the packet's data (and leaves pkt blank) whether it succeeds or not.
            let w = av_interleaved_write_frame(format, pkt)
            guard w >= 0 else { throw MP4SinkError.writeFailed(path: path, reason: avErrorString(w)) }
            packetsCopied += 1
        }
    }
}
