import CFFmpeg
import Foundation

/// A sound track an MP4 being written takes in step with its video: `addStream` before the header,
/// `copy(until:)` as video packets go out (so the streams interleave), `end(at:)` before the trailer.
protocol AudioTrack: AnyObject {
    func addStream(to format: UnsafeMutablePointer<AVFormatContext>) throws
    func copy(until seconds: Double, into format: UnsafeMutablePointer<AVFormatContext>, path: String) throws
    func end(at seconds: Double, into format: UnsafeMutablePointer<AVFormatContext>, path: String) throws
}

extension AudioCopy: AudioTrack {
    func end(at seconds: Double, into format: UnsafeMutablePointer<AVFormatContext>, path: String) throws {
        try copy(until: seconds, into: format, path: path)
    }
}

/// Decoded sound (`--music`) encoded to AAC (FFmpeg's own encoder) into the MP4, from time zero, cut
/// at the video's end: any audio FFmpeg reads ends up in a form every player takes, sample-exact
/// against the frames (the analysis that drove the dream saw the same samples).
final class AudioEncode: AudioTrack {
    /// What messages call the sound this track is made from (the music the user gave).
    static let source = "the music"
    private let audio: DecodedAudio
    private var ctx: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var stream: UnsafeMutablePointer<AVStream>?
    /// Samples given to the encoder so far.
    private var position = 0
    private var ended = false

    /// The rates AAC's sampling-frequency index can carry; anything else is resampled to 48 kHz.
    static let aacRates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]

    init(_ audio: DecodedAudio) {
        self.audio = Self.aacRates.contains(audio.sampleRate) ? audio : Self.resampled(audio, to: 48000)
    }

    deinit {
        if frame != nil { av_frame_free(&frame) }
        if packet != nil { av_packet_free(&packet) }
        if ctx != nil { avcodec_free_context(&ctx) }
    }

    /// Linear interpolation: only for the rare rate AAC cannot store (e.g. 37.8 kHz); the analysis
    /// always reads the original samples.
    static func resampled(_ a: DecodedAudio, to rate: Int) -> DecodedAudio {
        let ratio = Double(a.sampleRate) / Double(rate)
        let n = Int(Double(a.sampleCount) / ratio)
        let channels = a.channels.map { src in
            (0..<n).map { i -> Float in
                let x = Double(i) * ratio
                let j = min(Int(x), src.count - 1), k = min(j + 1, src.count - 1)
                let t = Float(x - Double(j))
                return src[j] * (1 - t) + src[k] * t
            }
        }
        return DecodedAudio(sampleRate: rate, channels: channels)
    }

    func addStream(to format: UnsafeMutablePointer<AVFormatContext>) throws {
        func fail(_ why: String) -> MP4SinkError { .audio(source: Self.source, reason: why) }
        guard let codec = avcodec_find_encoder_by_name("aac"), let c = avcodec_alloc_context3(codec) else {
            throw fail("FFmpeg's AAC encoder is missing")
        }
        ctx = c
        c.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        c.pointee.sample_rate = Int32(audio.sampleRate)
        av_channel_layout_default(&c.pointee.ch_layout, Int32(audio.channels.count))
        c.pointee.bit_rate = audio.channels.count > 1 ? 192_000 : 128_000
        c.pointee.time_base = AVRational(num: 1, den: Int32(audio.sampleRate))
        if format.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            c.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        }
        var err = avcodec_open2(c, codec, nil)
        guard err >= 0 else { throw fail(avErrorString(err)) }
        guard let st = avformat_new_stream(format, nil) else { throw fail("cannot add an audio stream") }
        err = avcodec_parameters_from_context(st.pointee.codecpar, c)
        guard err >= 0 else { throw fail(avErrorString(err)) }
        st.pointee.time_base = c.pointee.time_base
        stream = st
        frame = av_frame_alloc()
        packet = av_packet_alloc()
        guard let fr = frame, packet != nil else { throw fail("out of memory") }
        fr.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
        fr.pointee.sample_rate = c.pointee.sample_rate
        fr.pointee.nb_samples = c.pointee.frame_size
        err = av_channel_layout_copy(&fr.pointee.ch_layout, &c.pointee.ch_layout)
        if err >= 0 { err = av_frame_get_buffer(fr, 0) }
        guard err >= 0 else { throw fail(avErrorString(err)) }
    }

    /// Encodes the whole AAC frames that start before `seconds`.
    func copy(until seconds: Double, into format: UnsafeMutablePointer<AVFormatContext>, path: String) throws {
        guard !ended, let c = ctx else { return }
        let size = Int(c.pointee.frame_size)
        let target = min(audio.sampleCount, Int((seconds * Double(audio.sampleRate)).rounded()))
        while position + size <= target {
            try encode(count: size, into: format, path: path)
        }
    }

    /// Encodes the sound up to `seconds` (the video's end) exactly, then flushes the encoder.
    func end(at seconds: Double, into format: UnsafeMutablePointer<AVFormatContext>, path: String) throws {
        guard !ended, let c = ctx else { return }
        let size = Int(c.pointee.frame_size)
        let target = min(audio.sampleCount, Int((seconds * Double(audio.sampleRate)).rounded()))
        while position < target { try encode(count: min(size, target - position), into: format, path: path) }
        ended = true
        let err = avcodec_send_frame(c, nil)
        guard err >= 0 else { throw MP4SinkError.audio(source: Self.source, reason: avErrorString(err)) }
        try drain(into: format, path: path)
    }

    private func encode(count: Int, into format: UnsafeMutablePointer<AVFormatContext>, path: String) throws {
        guard let c = ctx, let fr = frame else { return }
        var err = av_frame_make_writable(fr)
        guard err >= 0 else { throw MP4SinkError.audio(source: Self.source, reason: avErrorString(err)) }
        fr.pointee.nb_samples = Int32(count)
        for (ch, samples) in audio.channels.enumerated() {
            guard let plane = fr.pointee.extended_data[ch] else { continue }
            plane.withMemoryRebound(to: Float.self, capacity: count) { dst in
                samples.withUnsafeBufferPointer { src in dst.update(from: src.baseAddress! + position, count: count) }
            }
        }
        fr.pointee.pts = Int64(position)
        position += count
        err = avcodec_send_frame(c, fr)
        guard err >= 0 else { throw MP4SinkError.audio(source: Self.source, reason: avErrorString(err)) }
        try drain(into: format, path: path)
    }

    private func drain(into format: UnsafeMutablePointer<AVFormatContext>, path: String) throws {
        guard let c = ctx, let pkt = packet, let st = stream else { return }
        while true {
            let r = avcodec_receive_packet(c, pkt)
            if r == cffmpeg_averror_eagain() || r == cffmpeg_averror_eof() { return }
            guard r >= 0 else { throw MP4SinkError.audio(source: Self.source, reason: avErrorString(r)) }
            av_packet_rescale_ts(pkt, c.pointee.time_base, st.pointee.time_base)
            pkt.pointee.stream_index = st.pointee.index
            let w = av_interleaved_write_frame(format, pkt)
            guard w >= 0 else { throw MP4SinkError.writeFailed(path: path, reason: avErrorString(w)) }
        }
    }
}
