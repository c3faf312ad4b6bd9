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
        guard let attr else { return try withAttr { try create(&desc, $0!, ctx, hint: hint, what) } }
        var pd: dnnl_primitive_desc_t?
        let status = withUnsafePointer(to: &desc) { p in
            dnnl_primitive_desc_create(&pd, UnsafeRawPointer(p), attr, ctx.engine, hint?.raw)
        }
        try check(status, "primitive_desc_create for \(what)")
        return PrimitiveDesc(taking: pd!)
    }

    /// oneDNN's eltwise algorithm for an activation: forward, backward computed from the output
    /// (so the input need not be kept), alpha and beta. ReLU6 is clip_v2 to [0, 6], whose backward
    /// passes the gradient where 0 < y < 6, as the reference engine does.
    private static func eltwise(_ a: Activation) -> (forward: dnnl_alg_kind_t, backward: dnnl_alg_kind_t, alpha: Float, beta: Float)? {
        switch a {
        case .none: return nil
        case .relu: return (dnnl_eltwise_relu, dnnl_eltwise_relu_use_dst_for_bwd, 0, 0)
        case .relu6: return (dnnl_eltwise_clip_v2, dnnl_eltwise_clip_v2_use_dst_for_bwd, 0, 6)
        }
    }

    /// Attributes of every primitive: the scratchpad is ours (`DNNLContext.scratchpad`), not the
    /// library's, and at most two post-ops: an activation after the operation, and "add to what dst
    /// holds". oneDNN 2.6.3's own scratchpad is per OS thread and sized when a primitive is built for
    /// that thread's OpenMP count: run on another thread, or after work on another thread count, a
    /// kernel read a null or short scratchpad and crashed (see PinnedThread). With the scratchpad
    /// passed to each execution a primitive runs on any thread.
    private static func withAttr<T>(activation: Activation = .none, accumulate: Bool = false,
                                    _ body: (dnnl_primitive_attr_t?) throws -> T) throws -> T {
        let e = eltwise(activation)
        var attr: dnnl_primitive_attr_t?
        var ops: dnnl_post_ops_t?
        try check(dnnl_primitive_attr_create(&attr), "primitive_attr_create")
        defer { dnnl_primitive_attr_destroy(attr) }
        try check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "primitive_attr_set_scratchpad_mode")
        guard e != nil || accumulate else { return try body(attr) }
        try check(dnnl_post_ops_create(&ops), "post_ops_create")
        defer { dnnl_post_ops_destroy(ops) }
        if let e { try check(dnnl_post_ops_append_eltwise(ops, 1, e.forward, e.alpha, e.beta), "post_ops_append_eltwise") }
        if accumulate { try check(dnnl_post_ops_append_sum(ops, 1), "post_ops_append_sum") }
        try check(dnnl_primitive_attr_set_post_ops(attr, ops), "primitive_attr_set_post_ops")
        return try body(attr)
    }

    static func convolutionForward(src: MemoryDesc, weights: MemoryDesc, bias: MemoryDesc, dst: MemoryDesc,
                                   window w: Window, activation: Activation, winograd: Bool = false, _ ctx: DNNLContext) throws -> PrimitiveDesc {
        var s = src.raw, wt = weights.raw, b = bias.raw, d = dst.raw
        var desc = dnnl_convolution_desc_t()
        try check(dnnl_convolution_forward_desc_init(&desc, dnnl_forward_training, winograd ? dnnl_convolution_winograd : dnnl_convolution_direct,
                                                     &s, &wt, &b, &d, w.strides, w.padBefore, w.padAfter),
                  "convolution_forward_desc_init")
        return try withAttr(activation: activation) { try create(&desc, $0, ctx, hint: nil, "convolution forward") }
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
        try activationBackward(.relu, diff: diff, dst: dst, hint: hint, ctx)
    }

    /// The backward of an activation (not .none), computed from its output (dst). Without a hint
    /// (an activation fused into a convolution has no eltwise forward), a matching forward is made.
    static func activationBackward(_ a: Activation, diff: MemoryDesc, dst: MemoryDesc, hint: PrimitiveDesc?, _ ctx: DNNLContext) throws -> PrimitiveDesc {
        guard let e = eltwise(a) else { throw OneDNNError.invalidGraph("no backward for activation \(a)") }
        var g = diff.raw, m = dst.raw
        var desc = dnnl_eltwise_desc_t()
        try check(dnnl_eltwise_backward_desc_init(&desc, e.backward, &g, &m, e.alpha, e.beta),
                  "eltwise_backward_desc_init")
        if let hint { return try create(&desc, nil, ctx, hint: hint, "\(a) backward") }
        var f = dnnl_eltwise_desc_t()
        try check(dnnl_eltwise_forward_desc_init(&f, dnnl_forward_training, e.backward, &m, e.alpha, e.beta),
                  "eltwise_forward_desc_init")
        let fwd = try create(&f, nil, ctx, hint: nil, "\(a) forward (hint)")
        return try create(&desc, nil, ctx, hint: fwd, "\(a) backward")
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
        return try withAttr { attr in
            var pd: dnnl_primitive_desc_t?
            try check(dnnl_concat_primitive_desc_create(&pd, &d, Int32(s.count), 1, s, attr, ctx.engine),
                      "concat_primitive_desc_create")
            return PrimitiveDesc(taking: pd!)
        }
    }

    /// Elementwise sum of `srcs` (all of dst's shape) into dst.
    static func sum(dst: MemoryDesc, srcs: [MemoryDesc], _ ctx: DNNLContext) throws -> PrimitiveDesc {
        var d = dst.raw
        let s = srcs.map(\.raw)
        let scales = [Float](repeating: 1, count: s.count)
        return try withAttr { attr in
            var pd: dnnl_primitive_desc_t?
            try check(dnnl_sum_primitive_desc_create(&pd, &d, Int32(s.count), scales, s, attr, ctx.engine),
                      "sum_primitive_desc_create")
            return PrimitiveDesc(taking: pd!)
        }
    }

    /// dst = src0 + src1; unlike sum, it has fast kernels for blocked layouts whose channels are
    /// not whole blocks.
    static func binaryAdd(src0: MemoryDesc, src1: MemoryDesc, dst: MemoryDesc, _ ctx: DNNLContext) throws -> PrimitiveDesc {
        var a = src0.raw, b = src1.raw, d = dst.raw
        var desc = dnnl_binary_desc_t()
        try check(dnnl_binary_desc_init(&desc, dnnl_binary_add, &a, &b, &d), "binary_desc_init")
        return try create(&desc, nil, ctx, hint: nil, "binary add")
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
