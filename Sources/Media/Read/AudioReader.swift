import CFFmpeg
import Foundation

/// A file's sound, decoded: planar float samples (-1...1) at the file's own rate, one or two channels
/// (more are folded into two). What `--music` analyses and what the MP4's AAC track is made from.
public struct DecodedAudio: Sendable, Equatable {
    public var sampleRate: Int
    /// One array per channel, all of one length.
    public var channels: [[Float]]

    public init(sampleRate: Int, channels: [[Float]]) {
        self.sampleRate = sampleRate
        self.channels = channels
    }

    public var sampleCount: Int { channels.first?.count ?? 0 }
    public var duration: Double { Double(sampleCount) / Double(sampleRate) }

    /// The channels averaged: what the analysis listens to.
    public var mono: [Float] {
        guard channels.count > 1 else { return channels.first ?? [] }
        var out = channels[0]
        let k = 1 / Float(channels.count)
        for c in channels.dropFirst() { for i in out.indices { out[i] += c[i] } }
        for i in out.indices { out[i] *= k }
        return out
    }
}

public enum AudioReadError: Error, CustomStringConvertible, Equatable {
    case missing(path: String)
    case notAFile(path: String)
    case notMedia(path: String, reason: String)
    case noAudio(path: String)
    case tooLong(path: String, limitSeconds: Int)
    case badStream(path: String, reason: String)
    case decodeFailed(path: String, reason: String)
    case silentFile(path: String)

    public var description: String {
        switch self {
        case let .missing(path):
            return "\(path) does not exist; give an audio file (MP3, WAV, FLAC, AAC, OGG, M4A) or a video with sound"
        case let .notAFile(path):
            return "\(path) is not a regular file; give an audio file (MP3, WAV, FLAC, AAC, OGG, M4A)"
        case let .notMedia(path, reason):
            return "\(path) is not a media file FFmpeg can read (\(reason)); give an audio file (MP3, WAV, FLAC, AAC, OGG, M4A)"
        case let .noAudio(path):
            return "\(path) has no audio stream; give a file with sound"
        case let .tooLong(path, limit):
            return "\(path) is longer than \(limit / 60) minutes (at its sample rate), more than a dream video can use; cut it first, e.g. ffmpeg -i \(path) -t 300 short.wav"
        case let .badStream(path, reason):
            return "\(path): its audio stream is unusable (\(reason)); convert it first, e.g. ffmpeg -i \(path) fixed.wav"
        case let .decodeFailed(path, reason):
            return "\(path) cannot be decoded: \(reason); convert it first, e.g. ffmpeg -i \(path) fixed.wav"
        case let .silentFile(path):
            return "\(path) holds no samples; give a file with sound"
        }
    }
}

/// Decodes the best audio stream of a file through libavformat/libavcodec, with the same demuxer and
/// protocol whitelists as a video input (a playlist or a script opens nothing else), and with every
/// count bounded: at most `maxSeconds` of sound, at most 768 kHz, at most 64 channels.
public enum AudioReader {
    /// An hour: 108,000 frames at 30 fps, far more than anyone dreams; at 48 kHz stereo 1.4 GB of floats.
    public static let maxSeconds = 3600
    /// And never more than 200 million samples a channel (1.6 GB for two), whatever the rate: an hour
    /// at 192 kHz would be 5.5 GB.
    public static let maxSamples = 200_000_000

    public static func read(path: String) throws -> DecodedAudio {
        var st = stat()
        guard stat(path, &st) == 0 else { throw AudioReadError.missing(path: path) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw AudioReadError.notAFile(path: path) }
        // Probing a file that is not media makes the demuxers log; the one line we print says it all.
        av_log_set_level(AV_LOG_QUIET)
        defer { av_log_set_level(AV_LOG_ERROR) }

        var input: UnsafeMutablePointer<AVFormatContext>?
        var options = MediaInput.whitelistOptions(audio: true)
        var err = avformat_open_input(&input, path, nil, &options)
        av_dict_free(&options)
        guard err >= 0, let fmt = input else { throw AudioReadError.notMedia(path: path, reason: avErrorString(err)) }
        defer { avformat_close_input(&input) }
        err = avformat_find_stream_info(fmt, nil)
        guard err >= 0 else { throw AudioReadError.notMedia(path: path, reason: avErrorString(err)) }
        let index = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, nil, 0)
        guard index >= 0 else { throw AudioReadError.noAudio(path: path) }
        let par = fmt.pointee.streams[Int(index)]!.pointee.codecpar!
        guard let codec = avcodec_find_decoder(par.pointee.codec_id) else {
            throw AudioReadError.badStream(path: path, reason: "no decoder for \(String(cString: avcodec_get_name(par.pointee.codec_id)))")
        }
        var ctx = avcodec_alloc_context3(codec)
        guard let c = ctx else { throw AudioReadError.decodeFailed(path: path, reason: "out of memory") }
        defer { avcodec_free_context(&ctx) }
        err = avcodec_parameters_to_context(c, par)
        if err >= 0 { err = avcodec_open2(c, codec, nil) }
        guard err >= 0 else { throw AudioReadError.decodeFailed(path: path, reason: avErrorString(err)) }

        var packet = av_packet_alloc()
        var frame = av_frame_alloc()
        defer { av_packet_free(&packet); av_frame_free(&frame) }
        guard let pkt = packet, let fr = frame else { throw AudioReadError.decodeFailed(path: path, reason: "out of memory") }

        var rate = 0
        var out: [[Float]] = []
        var limit = 0
        func receive() throws {
            while true {
                let r = avcodec_receive_frame(c, fr)
                if r == cffmpeg_averror_eagain() || r == cffmpeg_averror_eof() { return }
                guard r >= 0 else { throw AudioReadError.decodeFailed(path: path, reason: avErrorString(r)) }
                defer { av_frame_unref(fr) }
                let frameRate = Int(fr.pointee.sample_rate), channels = Int(fr.pointee.ch_layout.nb_channels)
                let n = Int(fr.pointee.nb_samples)
                guard (1...768_000).contains(frameRate), (1...64).contains(channels), n >= 0 else {
                    throw AudioReadError.badStream(path: path, reason: "\(frameRate) Hz, \(channels) channels")
                }
                if rate == 0 {
                    rate = frameRate
                    out = Array(repeating: [], count: min(channels, 2))
                    limit = min(maxSeconds * rate, maxSamples)
                } else if frameRate != rate || min(channels, 2) != out.count {
                    throw AudioReadError.badStream(path: path, reason: "its sample rate or channel count changes mid-stream")
                }
                let (total, overflow) = out[0].count.addingReportingOverflow(n)
                guard !overflow, total <= limit else { throw AudioReadError.tooLong(path: path, limitSeconds: limit / rate) }
                try append(fr, samples: n, channels: channels, into: &out, path: path)
            }
        }
        while av_read_frame(fmt, pkt) >= 0 {
            defer { av_packet_unref(pkt) }
            guard pkt.pointee.stream_index == index else { continue }
            // A damaged packet is skipped (as players do); the decoder resynchronises on the next one.
            if avcodec_send_packet(c, pkt) < 0 { continue }
            try receive()
        }
        _ = avcodec_send_packet(c, nil)
        try receive()
        guard rate > 0, !out[0].isEmpty else { throw AudioReadError.silentFile(path: path) }
        return DecodedAudio(sampleRate: rate, channels: out)
    }

    /// Appends one decoded frame as floats; channels beyond two are folded in (even ones left, odd right).
    private static func append(_ fr: UnsafeMutablePointer<AVFrame>, samples n: Int, channels: Int,
                               into out: inout [[Float]], path: String) throws {
        let format = AVSampleFormat(rawValue: fr.pointee.format)
        let planar = av_sample_fmt_is_planar(format) != 0
        guard let data = fr.pointee.extended_data else { throw AudioReadError.decodeFailed(path: path, reason: "no sample data") }
        func sample(_ ch: Int, _ i: Int) -> Float {
            let plane = planar ? data[ch]! : data[0]!
            let k = planar ? i : i * channels + ch
            switch format {
            case AV_SAMPLE_FMT_U8, AV_SAMPLE_FMT_U8P: return (Float(plane[k]) - 128) / 128
            case AV_SAMPLE_FMT_S16, AV_SAMPLE_FMT_S16P:
                return Float(plane.withMemoryRebound(to: Int16.self, capacity: k + 1) { $0[k] }) / 32768
            case AV_SAMPLE_FMT_S32, AV_SAMPLE_FMT_S32P:
                return Float(plane.withMemoryRebound(to: Int32.self, capacity: k + 1) { $0[k] }) / 2_147_483_648
            case AV_SAMPLE_FMT_S64, AV_SAMPLE_FMT_S64P:
                return Float(plane.withMemoryRebound(to: Int64.self, capacity: k + 1) { $0[k] }) / 9.223372e18
            case AV_SAMPLE_FMT_FLT, AV_SAMPLE_FMT_FLTP:
                return plane.withMemoryRebound(to: Float.self, capacity: k + 1) { $0[k] }
            case AV_SAMPLE_FMT_DBL, AV_SAMPLE_FMT_DBLP:
                return Float(plane.withMemoryRebound(to: Double.self, capacity: k + 1) { $0[k] })
            default: return 0
            }
        }
        switch format {
        case AV_SAMPLE_FMT_U8, AV_SAMPLE_FMT_U8P, AV_SAMPLE_FMT_S16, AV_SAMPLE_FMT_S16P, AV_SAMPLE_FMT_S32, AV_SAMPLE_FMT_S32P,
             AV_SAMPLE_FMT_S64, AV_SAMPLE_FMT_S64P, AV_SAMPLE_FMT_FLT, AV_SAMPLE_FMT_FLTP, AV_SAMPLE_FMT_DBL, AV_SAMPLE_FMT_DBLP: break
        default: throw AudioReadError.badStream(path: path, reason: "unknown sample format \(fr.pointee.format)")
        }
        let outs = out.count
        for o in 0..<outs {
            let mine = stride(from: o, to: channels, by: outs).map { $0 }
            let k = 1 / Float(mine.count)
            out[o].reserveCapacity(out[o].count + n)
            for i in 0..<n {
                var v: Float = 0
                for ch in mine { v += sample(ch, i) }
                let s = v * k
                out[o].append(s.isFinite ? min(max(s, -1), 1) : 0)
            }
        }
    }
}
