import CDNNL

/// A concatenation done by placement instead of a copy: each input is written by its own primitive
/// straight into its part of the concatenation's buffer.
///
/// With one image (N = 1), a channel slice of a plain (nchw) or channel-blocked (nChw8c, nChw16c)
/// tensor that starts and ends on whole blocks is one contiguous, dense run of the whole, laid out
/// exactly as a tensor of that many channels on its own. So an input whose memory is such a tensor
/// can be pointed into the whole's buffer at the byte offset of its slice, and the concat primitive
/// dropped: the bytes are the same as the copy's, only not copied.
///
/// Why: the six concats of Inception-v3 up to mixed_5 at 640x360 cost 11 ms of a 281 ms dream step on
/// one thread and 13 ms on two (`ONEDNN_VERBOSE=1 dreamvideo bench`, Zen 5, 2026-12-02): a copy is
/// bound by memory, so the second core does not shorten it.
struct ConcatInPlace {
    /// The concatenation's memory descriptor (same layout and type as the inputs').
    let dst: MemoryDesc
    /// Where each input starts in the concatenation's buffer.
    let byteOffsets: [Int]

    /// Layouts whose whole-block channel slices are contiguous, with their block size.
    private static let layouts: [(tag: dnnl_format_tag_t, block: Int)] = [(dnnl_nchw, 1), (dnnl_nChw8c, 8), (dnnl_nChw16c, 16)]

    /// The layout of `d` among those whose whole-block channel slices are contiguous, if it is one.
    static func tag(of d: MemoryDesc) -> dnnl_format_tag_t? {
        guard d.raw.ndims == 4, d.raw.dims.0 == 1 else { return nil }
        return layouts.first { l in
            (try? MemoryDesc(dims: [1, d.channels, d.height, d.width], tag: l.tag, type: d.raw.data_type)).map { $0.equals(d) } ?? false
        }?.tag
    }

    /// nil when the inputs cannot be placed (mixed layouts or types, a partial block, N != 1).
    init?(inputs: [MemoryDesc]) {
        guard let first = inputs.first else { return nil }
        let type = first.raw.data_type
        let (h, w) = (first.height, first.width)
        guard inputs.allSatisfy({ $0.raw.ndims == 4 && $0.raw.dims.0 == 1 && $0.raw.data_type == type && $0.height == h && $0.width == w })
        else { return nil }
        for (tag, block) in Self.layouts where inputs.allSatisfy({ $0.channels % block == 0 }) {
            let matches = inputs.allSatisfy { d in
                (try? MemoryDesc(dims: [1, d.channels, h, w], tag: tag, type: type)).map { $0.equals(d) } ?? false
            }
            guard matches, let whole = try? MemoryDesc(dims: [1, inputs.reduce(0) { $0 + $1.channels }, h, w], tag: tag, type: type)
            else { continue }
            var offsets: [Int] = [], offset = 0
            for d in inputs {
                offsets.append(offset)
                offset += d.byteSize
            }
            guard offset == whole.byteSize else { continue }
            dst = whole
            byteOffsets = offsets
            return
        }
        return nil
    }
}

extension Memory {
    /// Makes this memory use `byteCount` bytes of `whole`'s buffer from `offset` (its own buffer is
    /// released). `whole` must outlive this memory's use: the caller keeps both.
    func place(in whole: Memory, at offset: Int) throws {
        precondition(offset >= 0 && offset + desc.byteSize <= whole.desc.byteSize, "placement outside the buffer")
        try check(dnnl_memory_set_data_handle(raw, whole.handle + offset), "memory_set_data_handle (in-place concat)")
    }
}
