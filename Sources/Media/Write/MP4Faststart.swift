import CFFmpeg
import Foundation

/// Rewrites a finished fragmented MP4 as an ordinary one with its moov (index) before the media
/// (+faststart): the packets are copied unchanged, with the container's metadata. Both files are
/// descriptors we opened (PartialFile); FFmpeg's faststart pass re-reads its own output, which it
/// reaches as /proc/self/fd/N, the descriptor itself.
enum MP4Faststart {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func rewrite(from source: Int32, into copy: PartialFile) throws {
        func check(_ e: Int32, _ what: String) throws {
            if e < 0 { throw Failure(description: "\(what): \(avErrorString(e))") }
        }
        let inIO = UnsafeMutablePointer<cffmpeg_fdio>.allocate(capacity: 1)
        inIO.initialize(to: cffmpeg_fdio(fd: source, position: 0, end: 0, error: 0))
        let outIO = UnsafeMutablePointer<cffmpeg_fdio>.allocate(capacity: 1)
        outIO.initialize(to: cffmpeg_fdio(fd: copy.descriptor, position: 0, end: 0, error: 0))
        var input = avformat_alloc_context()
        var output: UnsafeMutablePointer<AVFormatContext>?
        var inPB = cffmpeg_fdio_context(inIO, 0)
        var packet = av_packet_alloc()
        defer {
            if input != nil { avformat_close_input(&input) }
            cffmpeg_fdio_context_free(&inPB)
            if let out = output {
                if out.pointee.pb != nil { cffmpeg_fdio_context_free(&out.pointee.pb) }
                avformat_free_context(out)
            }
            av_packet_free(&packet)
            inIO.deallocate()
            outIO.deallocate()
        }
        guard let inCtx = input, let pb = inPB, let pkt = packet else { throw Failure(description: "out of memory") }
        inCtx.pointee.pb = pb
        inCtx.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        try check(avformat_open_input(&input, nil, av_find_input_format("mp4"), nil), "cannot read the fragmented video")
        // The stream details the index needs (VP9's profile and level for vpcC) come from the packets.
        try check(avformat_find_stream_info(input, nil), "cannot read the fragmented video")

        try check(avformat_alloc_output_context2(&output, nil, "mp4", "/proc/self/fd/\(copy.descriptor)"), "cannot start the copy")
        guard let inFmt = input, let out = output, let outPB = cffmpeg_fdio_context(outIO, 1) else {
            throw Failure(description: "out of memory")
        }
        out.pointee.pb = outPB
        out.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        av_dict_copy(&out.pointee.metadata, inFmt.pointee.metadata, 0)
        for i in 0..<Int(inFmt.pointee.nb_streams) {
            let from = inFmt.pointee.streams[i]!
            guard let to = avformat_new_stream(out, nil) else { throw Failure(description: "out of memory") }
            try check(avcodec_parameters_copy(to.pointee.codecpar, from.pointee.codecpar), "cannot copy a stream")
            to.pointee.time_base = from.pointee.time_base
            to.pointee.avg_frame_rate = from.pointee.avg_frame_rate
            to.pointee.r_frame_rate = from.pointee.r_frame_rate
            to.pointee.sample_aspect_ratio = from.pointee.sample_aspect_ratio
        }
        var muxOptions: OpaquePointer?
        av_dict_set(&muxOptions, "movflags", "+faststart", 0)
        let header = avformat_write_header(out, &muxOptions)
        av_dict_free(&muxOptions)
        try check(header, "cannot write the copy")
        // A fragmented file starts its first picture after the B-frame delay (it has no edit list);
        // the ordinary file shows it at 0 (the muxer writes the edit list), as an unfragmented encode
        // would: every packet moves back by the first picture's time. Packets before it wait.
        let video = av_find_best_stream(inFmt, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        var start: (Int64, AVRational)? = video < 0 ? (0, AVRational(num: 1, den: 1)) : nil
        var waiting: [UnsafeMutablePointer<AVPacket>?] = []
        defer { for i in waiting.indices { av_packet_free(&waiting[i]) } }
        let nopts = cffmpeg_nopts_value()
        func put(_ p: UnsafeMutablePointer<AVPacket>, shift: (Int64, AVRational)) throws {
            let index = Int(p.pointee.stream_index)
            let base = inFmt.pointee.streams[index]!.pointee.time_base
            let by = av_rescale_q(shift.0, shift.1, base)
            if p.pointee.pts != nopts { p.pointee.pts -= by }
            if p.pointee.dts != nopts { p.pointee.dts -= by }
            av_packet_rescale_ts(p, base, out.pointee.streams[index]!.pointee.time_base)
            p.pointee.pos = -1
            try check(av_interleaved_write_frame(out, p), "cannot write the copy")
        }
        while true {
            let r = av_read_frame(inFmt, pkt)
            if r == cffmpeg_averror_eof() { break }
            try check(r, "cannot read the fragmented video")
            if start == nil {
                if pkt.pointee.stream_index == video {
                    let v = inFmt.pointee.streams[Int(video)]!.pointee
                    start = (pkt.pointee.pts == nopts ? 0 : pkt.pointee.pts, v.time_base)
                    for p in waiting { try put(p!, shift: start!) }
                } else {
                    waiting.append(av_packet_clone(pkt))
                    av_packet_unref(pkt)
                    continue
                }
            }
            try put(pkt, shift: start!)
        }
        try check(av_write_trailer(out), "cannot finish the copy")
        avio_flush(out.pointee.pb)
        if outIO.pointee.error != 0 { throw Failure(description: String(cString: strerror(outIO.pointee.error))) }
        copy.noteWritten(upTo: outIO.pointee.end)
    }
}
