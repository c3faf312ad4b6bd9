import CDNNL

/// Convolution weights and biases in the layouts the primitives asked for. Shared by every input
/// size: layouts rarely differ between sizes, so each layout is reordered once.
final class WeightStore {
    private let ctx: DNNLContext
    private var weights: [Int: [Memory]] = [:]   // node -> one memory per layout
    private var biases: [Int: Memory] = [:]

    init(_ ctx: DNNLContext) { self.ctx = ctx }

    func weights(node: Int, conv: Conv, as md: MemoryDesc) throws -> Memory {
        if let m = weights[node]?.first(where: { $0.desc.equals(md) }) { return m }
        // Row-major [out, in/groups, kh, kw] is the same buffer as [groups, out/groups, in/groups, kh, kw].
        let plainMD = try MemoryDesc(dims: conv.dnnlWeightDims, tag: conv.groups == 1 ? dnnl_oihw : dnnl_goihw)
        let plain = try Memory(plainMD, ctx)
        conv.weight.data.withUnsafeBufferPointer { plain.floats.update(from: $0.baseAddress!, count: $0.count) }
        let m = try Memory(md, ctx)
        let r = try Primitive(OpDescriptors.reorder(from: plainMD, to: md, accumulate: false, ctx), op: "weights reorder")
        try Step(r, [(Arg.src, plain), (Arg.dst, m)]).run(ctx)
        try ctx.wait()
        weights[node, default: []].append(m)
        return m
    }

    func bias(node: Int, conv: Conv) throws -> Memory {
        if let b = biases[node] { return b }
        let b = try Memory(MemoryDesc(dims: [conv.outChannels], tag: dnnl_x), ctx)
        conv.bias.data.withUnsafeBufferPointer { b.floats.update(from: $0.baseAddress!, count: $0.count) }
        biases[node] = b
        return b
    }
}

extension Conv {
    /// Weight dims as oneDNN takes them: grouped convolutions have a leading groups dimension.
    var dnnlWeightDims: [Int] {
        let w = weight.shape
        return groups == 1 ? w : [groups, w[0] / groups, w[1], w[2], w[3]]
    }
}
