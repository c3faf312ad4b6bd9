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
        }
    }
}

/// Reads a video's frames in order, one at a time: a folder of PNG/JPEG files (sorted by name, as a
/// PNG sequence sink writes them) or any video libavformat opens (decoded to RGB24 by swscale).
public struct VideoReader: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public func forEachFrame(_ body: (FloatImage) throws -> Void) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw VideoReadError.missing(path: path) }
        if isDir.boolValue { try readFolder(body) } else { try readVideo(body) }
    }

    private func readFolder(_ body: (FloatImage) throws -> Void) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
            .filter { let l = $0.lowercased(); return l.hasSuffix(".png") || l.hasSuffix(".jpg") || l.hasSuffix(".jpeg") }
            .sorted()
        if names.isEmpty { throw VideoReadError.noFrames(path: path) }
        let decoder = ImageDecoder()
        for name in names { try body(try decoder.decode(path: path + "/" + name)) }
    }

    private func readVideo(_ body: (FloatImage) throws -> Void) throws {
        av_log_set_level(AV_LOG_ERROR)
        var format: UnsafeMutablePointer<AVFormatContext>?
        var err = avformat_open_input(&format, path, nil, nil)
        guard err >= 0, let fmt = format else { throw VideoReadError.cannotOpen(path: path, reason: avErrorString(err)) }
        defer { avformat_close_input(&format) }
        err = avformat_find_stream_info(fmt, nil)
        guard err >= 0 else { throw VideoReadError.cannotOpen(path: path, reason: avErrorString(err)) }
        var codec: UnsafePointer<AVCodec>?
        let index = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)
        guard index >= 0, let codec else { throw VideoReadError.noVideoStream(path: path) }
        var context = avcodec_alloc_context3(codec)
        guard let ctx = context else { throw VideoReadError.decoderFailed(path: path, reason: "out of memory") }
        defer { avcodec_free_context(&context) }
        avcodec_parameters_to_context(ctx, fmt.pointee.streams[Int(index)]!.pointee.codecpar)
        err = avcodec_open2(ctx, codec, nil)
        guard err >= 0 else { throw VideoReadError.decoderFailed(path: path, reason: avErrorString(err)) }

        var frame = av_frame_alloc()
        var packet = av_packet_alloc()
        defer { av_frame_free(&frame); av_packet_free(&packet) }
        guard let f = frame, let pkt = packet else { throw VideoReadError.decoderFailed(path: path, reason: "out of memory") }
        var scaler: OpaquePointer? = nil
        defer { if let s = scaler { sws_freeContext(s) } }
        var rgb: [UInt8] = []
        var count = 0

        func receive() throws {
            while true {
                let r = avcodec_receive_frame(ctx, f)
                if r == cffmpeg_averror_eagain() || r == cffmpeg_averror_eof() { return }
                guard r >= 0 else { throw VideoReadError.decoderFailed(path: path, reason: avErrorString(r)) }
                let w = Int(f.pointee.width), h = Int(f.pointee.height)
                if scaler == nil {
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
                count += 1
                try body(FloatImage(rgb8: rgb, width: w, height: h))
            }
        }

        while av_read_frame(fmt, pkt) >= 0 {
            defer { av_packet_unref(pkt) }
            guard pkt.pointee.stream_index == index else { continue }
            let s = avcodec_send_packet(ctx, pkt)
            guard s >= 0 else { throw VideoReadError.decoderFailed(path: path, reason: avErrorString(s)) }
            try receive()
        }
        avcodec_send_packet(ctx, nil)
        try receive()
        if count == 0 { throw VideoReadError.noFrames(path: path) }
    }
}
