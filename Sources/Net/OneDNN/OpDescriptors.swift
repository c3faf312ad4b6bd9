import CDNNL

// The only file that uses oneDNN 2.x "operation descriptors" (dnnl_*_desc_init +
// dnnl_primitive_desc_create). oneDNN 3.x replaced them with dnnl_*_primitive_desc_create taking
// the same arguments directly: porting means rewriting these functions and nothing else.

/// Spatial geometry of a convolution or pooling window: (height, width) pairs.
struct Window {
    var strides: [Int64]
    var kernel: [Int64]
    var padBefore: [Int64]   // top, left
    var padAfter: [Int64]    // bottom, right (ceil-mode extra included)
}

enum OpDescriptors {
    private static func create<D>(_ desc: inout D, _ attr: dnnl_primitive_attr_t?, _ ctx: DNNLContext,
                                  hint: PrimitiveDesc?, _ what: String) throws -> PrimitiveDesc {
        var pd: dnnl_primitive_desc_t?
        let status = withUnsafePointer(to: &desc) { p in
            dnnl_primitive_desc_create(&pd, UnsafeRawPointer(p), attr, ctx.engine, hint?.raw)
        }
        try check(status, "primitive_desc_create for \(what)")
        return PrimitiveDesc(taking: pd!)
    }

    /// Attributes with one post-op: ReLU after the operation, or "add to what dst holds".
    private static func withAttr<T>(relu: Bool = false, accumulate: Bool = false,
                                    _ body: (dnnl_primitive_attr_t?) throws -> T) throws -> T {
        guard relu || accumulate else { return try body(nil) }
        var attr: dnnl_primitive_attr_t?
        var ops: dnnl_post_ops_t?
        try check(dnnl_primitive_attr_create(&attr), "primitive_attr_create")
        defer { dnnl_primitive_attr_destroy(attr) }
        try check(dnnl_post_ops_create(&ops), "post_ops_create")
        defer { dnnl_post_ops_destroy(ops) }
        if relu { try check(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_relu, 0, 0), "post_ops_append_eltwise") }
        if accumulate { try check(dnnl_post_ops_append_sum(ops, 1), "post_ops_append_sum") }
        try check(dnnl_primitive_attr_set_post_ops(attr, ops), "primitive_attr_set_post_ops")
        return try body(attr)
    }

    static func convolutionForward(src: MemoryDesc, weights: MemoryDesc, bias: MemoryDesc, dst: MemoryDesc,
                                   window w: Window, relu: Bool, winograd: Bool = false, _ ctx: DNNLContext) throws -> PrimitiveDesc {
        var s = src.raw, wt = weights.raw, b = bias.raw, d = dst.raw
        var desc = dnnl_convolution_desc_t()
        try check(dnnl_convolution_forward_desc_init(&desc, dnnl_forward_training, winograd ? dnnl_convolution_winograd : dnnl_convolution_direct,
                                                     &s, &wt, &b, &d, w.strides, w.padBefore, w.padAfter),
                  "convolution_forward_desc_init")
        return try withAttr(relu: relu) { try create(&desc, $0, ctx, hint: nil, "convolution forward") }
    }

    static func convolutionBackwardData(diffSrc: MemoryDesc, weights: MemoryDesc, diffDst: MemoryDesc,
                                        window w: Window, hint: PrimitiveDesc, winograd: Bool = false, _ ctx: DNNLContext) throws -> PrimitiveDesc {
        var s = diffSrc.raw, wt = weights.raw, d = diffDst.raw
        var desc = dnnl_convolution_desc_t()
        try check(dnnl_convolution_backward_data_desc_init(&desc, winograd ? dnnl_convolution_winograd : dnnl_convolution_direct, &s, &wt, &d,
                                                           w.strides, w.padBefore, w.padAfter),
                  "convolution_backward_data_desc_init")
        return try create(&desc, nil, ctx, hint: hint, "convolution backward data")
    }

    static func reluForward(data: MemoryDesc, _ ctx: DNNLContext) throws -> PrimitiveDesc {
        var m = data.raw
        var desc = dnnl_eltwise_desc_t()
        try check(dnnl_eltwise_forward_desc_init(&desc, dnnl_forward_training, dnnl_eltwise_relu, &m, 0, 0),
                  "eltwise_forward_desc_init")
        return try create(&desc, nil, ctx, hint: nil, "relu forward")
    }

    /// ReLU backward computed from its output (dst), so the input need not be kept.
    static func reluBackward(diff: MemoryDesc, dst: MemoryDesc, hint: PrimitiveDesc?, _ ctx: DNNLContext) throws -> PrimitiveDesc {
        var g = diff.raw, m = dst.raw
        var desc = dnnl_eltwise_desc_t()
        try check(dnnl_eltwise_backward_desc_init(&desc, dnnl_eltwise_relu_use_dst_for_bwd, &g, &m, 0, 0),
                  "eltwise_backward_desc_init")
        if let hint { return try create(&desc, nil, ctx, hint: hint, "relu backward") }
        // A fused conv+ReLU has no eltwise forward descriptor to hint with: make a matching one.
        let fwd = try reluForwardUseDst(data: dst, ctx)
        return try create(&desc, nil, ctx, hint: fwd, "relu backward")
    }

    private static func reluForwardUseDst(data: MemoryDesc, _ ctx: DNNLContext) throws -> PrimitiveDesc {
        var m = data.raw
        var desc = dnnl_eltwise_desc_t()
        try check(dnnl_eltwise_forward_desc_init(&desc, dnnl_forward_training, dnnl_eltwise_relu_use_dst_for_bwd, &m, 0, 0),
                  "eltwise_forward_desc_init")
        return try create(&desc, nil, ctx, hint: nil, "relu forward (hint)")
    }

    static func poolingForward(max: Bool, includePadding: Bool, src: MemoryDesc, dst: MemoryDesc,
                               window w: Window, _ ctx: DNNLContext) throws -> PrimitiveDesc {
        var s = src.raw, d = dst.raw
        var desc = dnnl_pooling_desc_t()
        try check(dnnl_pooling_forward_desc_init(&desc, dnnl_forward_training, poolingAlg(max, includePadding),
                                                 &s, &d, w.strides, w.kernel, w.padBefore, w.padAfter),
                  "pooling_forward_desc_init")
        return try create(&desc, nil, ctx, hint: nil, "pooling forward")
    }

    static func poolingBackward(max: Bool, includePadding: Bool, diffSrc: MemoryDesc, diffDst: MemoryDesc,
                                window w: Window, hint: PrimitiveDesc, _ ctx: DNNLContext) throws -> PrimitiveDesc {
        var s = diffSrc.raw, d = diffDst.raw
        var desc = dnnl_pooling_desc_t()
        try check(dnnl_pooling_backward_desc_init(&desc, poolingAlg(max, includePadding),
                                                  &s, &d, w.strides, w.kernel, w.padBefore, w.padAfter),
                  "pooling_backward_desc_init")
        return try create(&desc, nil, ctx, hint: hint, "pooling backward")
    }

    private static func poolingAlg(_ max: Bool, _ includePadding: Bool) -> dnnl_alg_kind_t {
        max ? dnnl_pooling_max : (includePadding ? dnnl_pooling_avg_include_padding : dnnl_pooling_avg_exclude_padding)
    }

    static func concat(dst: MemoryDesc, srcs: [MemoryDesc], _ ctx: DNNLContext) throws -> PrimitiveDesc {
        var d = dst.raw
        let s = srcs.map(\.raw)
        var pd: dnnl_primitive_desc_t?
        try check(dnnl_concat_primitive_desc_create(&pd, &d, Int32(s.count), 1, s, nil, ctx.engine),
                  "concat_primitive_desc_create")
        return PrimitiveDesc(taking: pd!)
    }

    /// Layout conversion; with `accumulate` it adds into dst instead of overwriting it.
    static func reorder(from src: MemoryDesc, to dst: MemoryDesc, accumulate: Bool, _ ctx: DNNLContext) throws -> PrimitiveDesc {
        var s = src.raw, d = dst.raw
        return try withAttr(accumulate: accumulate) { attr in
            var pd: dnnl_primitive_desc_t?
            try check(dnnl_reorder_primitive_desc_create(&pd, &s, ctx.engine, &d, ctx.engine, attr),
                      "reorder_primitive_desc_create")
            return PrimitiveDesc(taking: pd!)
        }
    }
}
