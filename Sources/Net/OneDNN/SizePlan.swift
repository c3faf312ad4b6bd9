import CDNNL

/// Everything built for one input size: forward primitives and activations per node (in the layouts
/// oneDNN prefers), and backward programs per set of objective nodes. Built lazily, node by node,
/// so a shallow objective never pays for deep layers.
final class SizePlan {
    let graph: Graph
    let height: Int, width: Int
    private let ctx: DNNLContext
    private let store: WeightStore
    private let algorithm: OneDNNEngine.ConvolutionAlgorithm
    private let tuner: ConvolutionTuner?
    private let threads: Int
    private let precision: Precision
    /// Activations, their gradients and the weights are stored in this type; the image, the
    /// objective's activations and the seeds are always f32 (reorders convert).
    private let dt: dnnl_data_type_t

    /// Plain [1, 3, H, W]: the caller's image goes here.
    let input: Memory
    private var out: [Memory?]
    /// Per node: its primitive, then reorders of its output into layouts its consumers asked for.
    private var forwardSteps: [[Step]]
    private var forwardPD: [PrimitiveDesc?]
    private var windows: [Window?]
    private var workspace: [Memory?]
    private var conversions: [[Memory]]
    private var plain: [(memory: Memory, step: Step?)?]
    /// Nodes whose output memory lives inside a concatenation's buffer (`ConcatInPlace`).
    private var placed = Set<Int>()
    /// A node placed in a concatenation's buffer: which concatenation, and where. Its gradient can
    /// likewise be the concatenation's gradient's slice (`buildBackward`).
    private var slots: [Int: (concat: Int, byteOffset: Int)] = [:]
    /// Nodes whose gradient memory is a concatenation gradient's slice, as the last program built made it.
    private var slicedGrads = Set<Int>()
    /// How many inputs of later nodes name each node (a concat naming it twice counts twice).
    private let consumers: [Int]
    /// Sibling 1x1 convolutions run as one (`SiblingConvs`), by their first member.
    private let siblings: SiblingConvs
    private var merged: [Int: Merged] = [:]
    private struct Merged {
        var members: [Int]
        var conv: Conv
        var forward: PrimitiveDesc
        var out: Memory
        var byteOffsets: [Int]
        var grad: Memory?
    }

    private var grads: [Memory?]
    /// Plain [1, C, H, W] gradient of the objective w.r.t. a node, filled by the caller.
    private var seeds: [Int: Memory] = [:]
    private var programs: [[Int]: Program] = [:]
    /// A backward program: its steps, and where the image gradient is read from after them (the
    /// image's gradient memory, or the phase convolution's output through a shuffle).
    private struct Program {
        var steps: [Step]
        var shuffle: PhaseShuffle?
    }
    // Scratch memories live only between the step that fills them and the step that consumes them.
    private var inTemps: [Memory] = []
    private var outTemps: [Memory] = []
    private(set) var primitives: [Primitive] = []

    var implementations: [(op: String, impl: String)] { primitives.map { ($0.op, $0.desc.impl) } }

    init(graph: Graph, height: Int, width: Int, algorithm: OneDNNEngine.ConvolutionAlgorithm, tuner: ConvolutionTuner?,
         threads: Int, precision: Precision, ctx: DNNLContext, store: WeightStore) throws {
        self.graph = graph
        self.algorithm = algorithm; self.tuner = tuner; self.threads = threads; self.precision = precision
        dt = precision == .bf16 ? dnnl_bf16 : dnnl_f32
        self.height = height; self.width = width
        self.ctx = ctx; self.store = store
        let n = graph.nodes.count
        input = try Memory(.nchw(3, height, width), ctx)
        out = Array(repeating: nil, count: n); out[0] = input
        forwardSteps = Array(repeating: [], count: n)
        forwardPD = Array(repeating: nil, count: n)
        windows = Array(repeating: nil, count: n)
        workspace = Array(repeating: nil, count: n)
        conversions = Array(repeating: [], count: n)
        plain = Array(repeating: nil, count: n)
        grads = Array(repeating: nil, count: n)
        siblings = SiblingConvs(graph: graph)
        var consumers = Array(repeating: 0, count: n)
        for node in graph.nodes { for x in node.inputs { consumers[x] += 1 } }
        self.consumers = consumers
    }

    // MARK: forward

    func runForward(_ image: Tensor, targets: [Int]) throws {
        for t in targets { try build(t) }
        image.data.withUnsafeBufferPointer { input.floats.update(from: $0.baseAddress!, count: $0.count) }
        var needed = graph.ancestors(of: targets)
        // A merged convolution's step sits with its first member: run it whichever member is needed.
        for i in needed.indices where needed[i] { for m in siblings.groups[i] ?? [] { needed[m] = true } }
        for i in needed.indices where needed[i] {
            for step in forwardSteps[i] { try step.run(ctx) }
        }
        try ctx.wait()
    }

    /// Node `i`'s activation as plain [C, H, W] floats (valid after runForward).
    func plainOutput(_ i: Int) throws -> (pointer: UnsafeMutablePointer<Float>, shape: [Int]) {
        if plain[i] == nil {
            let o = out[i]!
            let md = try MemoryDesc.nchw(o.desc.channels, o.desc.height, o.desc.width)
            if o.desc.equals(md) {
                plain[i] = (o, nil)
            } else {
                let m = try Memory(md, ctx)
                let r = try make(OpDescriptors.reorder(from: o.desc, to: md, accumulate: false, ctx), op: "\(name(i)) to plain")
                plain[i] = (m, Step(r, [(Arg.src, o), (Arg.dst, m)]))
            }
        }
        let (m, step) = plain[i]!
        if let step { try step.run(ctx); try ctx.wait() }
        return (m.floats, [m.desc.channels, m.desc.height, m.desc.width])
    }

    /// Winograd applies to 3x3 stride-1 convolutions in f32 (oneDNN 2.6 has no bf16 Winograd); where
    /// oneDNN has no Winograd kernel for a shape, the direct one is used.
    private func winograd(_ conv: Conv) -> Bool {
        algorithm != .direct && precision == .f32
            && conv.groups == 1 && conv.kernelH == 3 && conv.kernelW == 3 && conv.strideH == 1 && conv.strideW == 1
    }

    /// Between a direct and a Winograd primitive for node i: the one `algorithm` asks for, or with
    /// `.fastest` the one the tuner measured faster for this shape, size and thread count.
    private func pick(_ direct: PrimitiveDesc, _ wino: PrimitiveDesc?, node i: Int, backward: Bool,
                      args: [(Int32, dnnl_query_t, Int32)]) throws -> PrimitiveDesc {
        guard let wino, !wino.isReference else { return direct }
        switch algorithm {
        case .direct: return direct
        case .winograd: return wino
        case .fastest:
            guard let tuner else { return wino }
            let src = backward ? direct.md(dnnl_query_diff_src_md) : direct.md(dnnl_query_src_md)
            let dst = backward ? direct.md(dnnl_query_diff_dst_md) : direct.md(dnnl_query_dst_md)
            guard case .conv(let c) = graph.nodes[i].op else { return direct }
            let p = c.padding
            let key = "\(backward ? "backward_data" : "forward") \(precision.rawValue) \(threads) thread\(threads == 1 ? "" : "s"): "
                + "\(src.channels)x\(src.height)x\(src.width) -> \(dst.channels)x\(dst.height)x\(dst.width), "
                + "kernel \(c.kernelH)x\(c.kernelW), stride \(c.strideH)x\(c.strideW), padding \(p.top) \(p.left) \(p.bottom) \(p.right)"
            let choice = try tuner.choose(layer: graph.nodes[i].name, key: key, candidates: [
                ("direct", try ConvolutionTuner.run(direct, args: args, ctx: ctx)),
                ("winograd", try ConvolutionTuner.run(wino, args: args, ctx: ctx)),
            ])
            return choice == "winograd" ? wino : direct
        }
    }

    /// Builds a group of sibling 1x1 convolutions as one, placing each member's output in the merged
    /// output. False (nothing built) where the merged output's layout cannot be sliced by members.
    private func buildMerged(_ members: [Int]) throws -> Bool {
        if merged[members[0]] != nil { return true }
        let convs = members.map { m -> Conv in
            guard case .conv(let c) = graph.nodes[m].op else { preconditionFailure("sibling \(m) is not a convolution") }
            return c
        }
        let conv = SiblingConvs.merged(convs)
        let x = out[graph.nodes[members[0]].inputs[0]]!.desc
        let w = Window(strides: [1, 1], kernel: [1, 1], padBefore: [0, 0], padAfter: [0, 0])
        let pd = try OpDescriptors.convolutionForward(
            src: .any([1, x.channels, x.height, x.width], dt), weights: .any(conv.dnnlWeightDims, dt),
            bias: MemoryDesc(dims: [conv.outChannels], tag: dnnl_x), dst: .any([1, conv.outChannels, x.height, x.width], dt),
            window: w, activation: conv.activation, ctx)
        let dstMD = pd.md(dnnl_query_dst_md)
        // The members' outputs as tensors of their own, in the merged layout: placeable only if they
        // tile it exactly (whole blocks).
        var parts: [MemoryDesc] = []
        for c in convs {
            guard let tag = ConcatInPlace.tag(of: dstMD),
                  let d = try? MemoryDesc(dims: [1, c.outChannels, x.height, x.width], tag: tag, type: dstMD.raw.data_type) else { return false }
            parts.append(d)
        }
        guard let layout = ConcatInPlace(inputs: parts), layout.dst.equals(dstMD) else { return false }
        let first = members[0]
        let prim = try make(pd, op: "convolution forward of \(name(first)) and its siblings")
        let src = try output(graph.nodes[first].inputs[0], as: pd.md(dnnl_query_src_md))
        let wts = try store.weights(node: -first, conv: conv, as: pd.md(dnnl_query_weights_md))
        let bias = try store.bias(node: -first, conv: conv)
        let dst = try Memory(dstMD, ctx)
        forwardSteps[first].append(Step(prim, [(Arg.src, src), (Arg.weights, wts), (Arg.bias, bias), (Arg.dst, dst)]))
        for (k, m) in members.enumerated() {
            let o = try Memory(parts[k], ctx)
            try o.place(in: dst, at: layout.byteOffsets[k])
            out[m] = o
            windows[m] = w
            placed.insert(m)
        }
        merged[first] = Merged(members: members, conv: conv, forward: pd, out: dst, byteOffsets: layout.byteOffsets)
        return true
    }

    private func make(_ pd: PrimitiveDesc, op: String) throws -> Primitive {
        let p = try Primitive(pd, op: op)
        primitives.append(p)
        return p
    }

    private func name(_ i: Int) -> String { "node \(i) '\(graph.nodes[i].name)'" }

    /// Node `i`'s output in layout `md`, reordering it (at the end of i's forward steps) if needed.
    private func output(_ i: Int, as md: MemoryDesc) throws -> Memory {
        let o = out[i]!
        if o.desc.equals(md) { return o }
        if let c = conversions[i].first(where: { $0.desc.equals(md) }) { return c }
        let c = try Memory(md, ctx)
        let r = try make(OpDescriptors.reorder(from: o.desc, to: md, accumulate: false, ctx), op: "\(name(i)) layout")
        forwardSteps[i].append(Step(r, [(Arg.src, o), (Arg.dst, c)]))
        conversions[i].append(c)
        return c
    }

    private func build(_ i: Int) throws {
        if out[i] != nil { return }
        let node = graph.nodes[i]
        for x in node.inputs { try build(x) }
        let x0 = out[node.inputs[0]]!.desc
        switch node.op {
        case .input:
            throw OneDNNError.invalidGraph("\(name(i)) is a second input node")

        case .conv(let conv):
            guard x0.channels == conv.inChannels else {
                throw OneDNNError.invalidGraph("\(name(i)) expects \(conv.inChannels) input channels, gets \(x0.channels)")
            }
            if let members = siblings.groups[i], try buildMerged(members) { return }
            let p = conv.padding
            let (oh, ow) = conv.outputSize(height: x0.height, width: x0.width)
            guard oh > 0, ow > 0, conv.fits(height: x0.height, width: x0.width) else {
                throw EngineError.inputTooSmall(node: node.name, shape: [conv.outChannels, oh, ow])
            }
            let w = Window(strides: [conv.strideH, conv.strideW].map(Int64.init),
                           kernel: [conv.kernelH, conv.kernelW].map(Int64.init),
                           padBefore: [p.top, p.left].map(Int64.init), padAfter: [p.bottom, p.right].map(Int64.init))
            func convPD(winograd: Bool) throws -> PrimitiveDesc {
                try OpDescriptors.convolutionForward(
                    src: .any([1, x0.channels, x0.height, x0.width], dt), weights: .any(conv.dnnlWeightDims, dt),
                    bias: MemoryDesc(dims: [conv.outChannels], tag: dnnl_x), dst: .any([1, conv.outChannels, oh, ow], dt),
                    window: w, activation: conv.activation, winograd: winograd, ctx)
            }
            let pd = try pick(try convPD(winograd: false), winograd(conv) ? try? convPD(winograd: true) : nil, node: i, backward: false,
                              args: [(Arg.src, dnnl_query_src_md, 0), (Arg.weights, dnnl_query_weights_md, 0),
                                     (Arg.bias, dnnl_query_weights_md, 1), (Arg.dst, dnnl_query_dst_md, 0)])
            let prim = try make(pd, op: "convolution forward of \(name(i))")
            let src = try output(node.inputs[0], as: pd.md(dnnl_query_src_md))
            let wts = try store.weights(node: i, conv: conv, as: pd.md(dnnl_query_weights_md))
            let bias = try store.bias(node: i, conv: conv)
            let dst = try Memory(pd.md(dnnl_query_dst_md), ctx)
            forwardSteps[i].append(Step(prim, [(Arg.src, src), (Arg.weights, wts), (Arg.bias, bias), (Arg.dst, dst)]))
            forwardPD[i] = pd; windows[i] = w; out[i] = dst

        case .relu:
            let pd = try OpDescriptors.reluForward(data: x0, ctx)
            let prim = try make(pd, op: "relu forward of \(name(i))")
            let dst = try Memory(pd.md(dnnl_query_dst_md), ctx)
            forwardSteps[i].append(Step(prim, [(Arg.src, out[node.inputs[0]]!), (Arg.dst, dst)]))
            forwardPD[i] = pd; out[i] = dst

        case .maxPool(let pool), .avgPool(let pool):
            let isMax: Bool
            if case .maxPool = node.op { isMax = true } else { isMax = false }
            let p = pool.padding
            let (oh, extraH) = pool.outputSize(input: x0.height, kernel: pool.kernelH, stride: pool.strideH, padBefore: p.top, padAfter: p.bottom)
            let (ow, extraW) = pool.outputSize(input: x0.width, kernel: pool.kernelW, stride: pool.strideW, padBefore: p.left, padAfter: p.right)
            guard oh > 0, ow > 0, x0.height + p.top + p.bottom >= pool.kernelH, x0.width + p.left + p.right >= pool.kernelW else {
                throw EngineError.inputTooSmall(node: node.name, shape: [x0.channels, oh, ow])
            }
            if !isMax && pool.countIncludePad && (extraH > 0 || extraW > 0) {
                // oneDNN would count the ceil-mode overhang in the divisor; PyTorch does not.
                throw OneDNNError.unsupported("average pooling that counts padding in ceil mode (\(name(i)))")
            }
            let w = Window(strides: [pool.strideH, pool.strideW].map(Int64.init),
                           kernel: [pool.kernelH, pool.kernelW].map(Int64.init),
                           padBefore: [p.top, p.left].map(Int64.init),
                           padAfter: [p.bottom + extraH, p.right + extraW].map(Int64.init))
            let dstAny = try MemoryDesc.any([1, x0.channels, oh, ow], dt)
            var pd = try OpDescriptors.poolingForward(max: isMax, includePadding: pool.countIncludePad, src: x0, dst: dstAny, window: w, ctx)
            if pd.isReference {
                // The producer's layout has no fast pooling kernel: let pooling pick one and reorder.
                pd = try OpDescriptors.poolingForward(max: isMax, includePadding: pool.countIncludePad,
                                                      src: .any([1, x0.channels, x0.height, x0.width], dt), dst: dstAny, window: w, ctx)
            }
            let prim = try make(pd, op: "pooling forward of \(name(i))")
            let src = try output(node.inputs[0], as: pd.md(dnnl_query_src_md))
            let dst = try Memory(pd.md(dnnl_query_dst_md), ctx)
            var args = [(Arg.src, src), (Arg.dst, dst)]
            let wsMD = pd.md(dnnl_query_workspace_md)
            if wsMD.raw.ndims > 0 {
                let ws = try Memory(wsMD, ctx)
                args.append((Arg.workspace, ws))
                workspace[i] = ws
            }
            forwardSteps[i].append(Step(prim, args))
            forwardPD[i] = pd; windows[i] = w; out[i] = dst

        case .concat:
            // Each input written straight into its slice (no copy) where the layouts allow; an input
            // placed once (into another concat), the image, or a concat's own buffer stays where it is.
            if let inPlace = ConcatInPlace(inputs: node.inputs.map { out[$0]!.desc }) {
                let dst = try Memory(inPlace.dst, ctx)
                for (j, offset) in zip(node.inputs, inPlace.byteOffsets) {
                    var movable = j != 0 && !placed.contains(j)
                    if case .concat = graph.nodes[j].op { movable = false }
                    if movable {
                        try out[j]!.place(in: dst, at: offset)
                        placed.insert(j)
                        slots[j] = (i, offset)
                    } else {
                        // Its memory lives elsewhere (a sibling convolution's, a concat's, the image): copy it in.
                        let slot = try Memory(out[j]!.desc, ctx)
                        try slot.place(in: dst, at: offset)
                        let r = try make(OpDescriptors.reorder(from: out[j]!.desc, to: slot.desc, accumulate: false, ctx), op: "\(name(j)) into \(name(i))")
                        forwardSteps[i].append(Step(r, [(Arg.src, out[j]!), (Arg.dst, slot)]))
                    }
                }
                out[i] = dst
                return
            }
            var srcs = node.inputs.map { out[$0]! }
            guard srcs.allSatisfy({ $0.desc.height == x0.height && $0.desc.width == x0.width }) else {
                throw OneDNNError.invalidGraph("\(name(i)) concatenates inputs of different spatial sizes")
            }
            let channels = srcs.reduce(0) { $0 + $1.desc.channels }
            var pd = try OpDescriptors.concat(dst: .any([1, channels, x0.height, x0.width], dt), srcs: srcs.map(\.desc), ctx)
            if pd.isReference {
                // Blocked inputs whose channel counts are not whole blocks: concatenate plain copies.
                srcs = try node.inputs.map { try output($0, as: .nchw(out[$0]!.desc.channels, x0.height, x0.width, dt)) }
                pd = try OpDescriptors.concat(dst: .nchw(channels, x0.height, x0.width, dt), srcs: srcs.map(\.desc), ctx)
            }
            let prim = try make(pd, op: "concat of \(name(i))")
            let dst = try Memory(pd.md(dnnl_query_dst_md), ctx)
            var args = [(Arg.dst, dst)]
            for (k, s) in srcs.enumerated() { args.append((Arg.multipleSrc(k), s)) }
            forwardSteps[i].append(Step(prim, args))
            out[i] = dst

        case .add:
            let descs = node.inputs.map { out[$0]!.desc }
            guard descs.allSatisfy({ $0.channels == x0.channels && $0.height == x0.height && $0.width == x0.width }) else {
                throw OneDNNError.invalidGraph("\(name(i)) adds inputs of different shapes")
            }
            // Sum wants one layout: a computed input's (the image is plain f32), converting the others.
            let layout = try node.inputs.first(where: { $0 != 0 }).map { out[$0]!.desc } ?? .nchw(x0.channels, x0.height, x0.width, dt)
            var srcs = try node.inputs.map { try output($0, as: layout) }
            var pd = try OpDescriptors.sum(dst: layout, srcs: srcs.map(\.desc), ctx)
            var binary = false
            if pd.isReference && srcs.count == 2 {
                // f32 sum has only the reference kernel for blocked layouts padded to whole blocks
                // (24 channels in blocks of 16, as in MobileNetV2): binary add has a jit one.
                pd = try OpDescriptors.binaryAdd(src0: layout, src1: layout, dst: layout, ctx)
                binary = true
            }
            if pd.isReference {
                let flat = try MemoryDesc.nchw(x0.channels, x0.height, x0.width, dt)
                srcs = try node.inputs.map { try output($0, as: flat) }
                pd = try OpDescriptors.sum(dst: flat, srcs: srcs.map(\.desc), ctx)
                binary = false
            }
            let prim = try make(pd, op: "add of \(name(i))")
            let dst = try Memory(pd.md(dnnl_query_dst_md), ctx)
            var args = [(Arg.dst, dst)]
            if binary {
                args += [(Arg.src, srcs[0]), (Arg.src1, srcs[1])]
            } else {
                for (k, s) in srcs.enumerated() { args.append((Arg.multipleSrc(k), s)) }
            }
            forwardSteps[i].append(Step(prim, args))
            out[i] = dst
        }
    }

    // MARK: backward

    /// Zeroed plain gradient buffer for target node `i`, for the caller to fill.
    func seed(_ i: Int) throws -> UnsafeMutablePointer<Float> {
        if seeds[i] == nil {
            let o = out[i]!.desc
            seeds[i] = try Memory(.nchw(o.channels, o.height, o.width), ctx)
        }
        let m = seeds[i]!
        m.handle.initializeMemory(as: UInt8.self, repeating: 0, count: m.desc.byteSize)
        return m.floats
    }

    /// Runs the backward program for these targets (their seeds filled) and writes the plain image
    /// gradient, 3*H*W floats, to `image`.
    func runBackward(targets: [Int], into image: UnsafeMutableBufferPointer<Float>) throws {
        if programs[targets] == nil { programs[targets] = try buildBackward(targets) }
        let program = programs[targets]!
        for step in program.steps { try step.run(ctx) }
        try ctx.wait()
        precondition(image.count == 3 * height * width, "image gradient buffer of \(image.count) floats for \(height)x\(width)")
        if let shuffle = program.shuffle {
            shuffle.write(into: image.baseAddress!, threads: threads)
        } else {
            image.baseAddress!.update(from: grads[0]!.floats, count: image.count)
        }
    }

    private func grad(_ i: Int) throws -> Memory {
        if let g = grads[i] { return g }
        if let first = siblings.groups[i]?.first, var group = merged[first] {
            // Siblings' gradients side by side, as their outputs are: one backward for all.
            let whole = try Memory(group.out.desc, ctx)
            for (k, m) in group.members.enumerated() {
                let g = try Memory(out[m]!.desc, ctx)
                try g.place(in: whole, at: group.byteOffsets[k])
                grads[m] = g
            }
            group.grad = whole
            merged[first] = group
            return grads[i]!
        }
        let g = try Memory(out[i]!.desc, ctx)
        grads[i] = g
        return g
    }

    private func temp(_ md: MemoryDesc, _ pool: inout [Memory]) throws -> Memory {
        if let t = pool.first(where: { $0.desc.equals(md) }) { return t }
        let t = try Memory(md, ctx)
        pool.append(t)
        return t
    }

    private func buildBackward(_ targets: [Int]) throws -> Program {
        // A gradient an earlier program made a slice gets memory of its own again unless this program
        // slices it too (a target's seed in a slice would be overwritten by the concat's gradient).
        // The earlier program keeps the memory it was built with.
        for j in slicedGrads { grads[j] = nil }
        slicedGrads = []
        var needed = graph.ancestors(of: targets)
        // Merged siblings go backward together (at the first member): a member no term reaches gets zeros.
        for i in needed.indices where needed[i] { for m in siblings.groups[i] ?? [] { needed[m] = true } }
        var contributions = Array(repeating: 0, count: graph.nodes.count)
        var steps: [Step] = []
        var shuffle: PhaseShuffle?
        // How many inputs of the nodes this program runs name the image (a second reader adds to its gradient).
        let imageReaders = graph.nodes.indices.reduce(0) { n, i in needed[i] ? n + graph.nodes[i].inputs.filter { $0 == 0 }.count : n }

        // Adds `m` into node j's gradient (overwrites it on the first contribution).
        func contribute(_ m: Memory, to j: Int) throws {
            let g = try grad(j)
            let r = try make(OpDescriptors.reorder(from: m.desc, to: g.desc, accumulate: contributions[j] > 0, ctx),
                                  op: "gradient into \(name(j))")
            steps.append(Step(r, [(Arg.src, m), (Arg.dst, g)]))
            contributions[j] += 1
        }
        // Where a primitive should write its gradient for node j in layout md: straight into j's
        // gradient when that is possible, else a scratch memory that `finish` then adds in.
        func destination(_ j: Int, _ md: MemoryDesc) throws -> (memory: Memory, finish: () throws -> Void) {
            let g = try grad(j)
            if contributions[j] == 0 && g.desc.equals(md) {
                contributions[j] = 1
                return (g, {})
            }
            let t = try temp(md, &outTemps)
            return (t, { try contribute(t, to: j) })
        }
        // Node i's gradient in layout md.
        func gradient(_ i: Int, as md: MemoryDesc) throws -> Memory {
            let g = try grad(i)
            if g.desc.equals(md) { return g }
            let t = try temp(md, &inTemps)
            let r = try make(OpDescriptors.reorder(from: g.desc, to: md, accumulate: false, ctx), op: "gradient of \(name(i)) layout")
            steps.append(Step(r, [(Arg.src, g), (Arg.dst, t)]))
            return t
        }

        for t in targets { try contribute(seeds[t]!, to: t) }

        for i in graph.nodes.indices.reversed() where needed[i] && i > 0 {
            let node = graph.nodes[i]
            let x = node.inputs.first ?? 0
            switch node.op {
            case .input:
                break

            case .conv(let conv):
                if let members = siblings.groups[i], let first = members.first, merged[first] != nil {
                    // Deferred to the first member: by then every member's gradient is complete.
                    guard i == first else { break }
                    for m in members where contributions[m] == 0 {
                        let z = try Memory(out[m]!.desc, ctx)
                        z.handle.initializeMemory(as: UInt8.self, repeating: 0, count: z.desc.byteSize)
                        try contribute(z, to: m)
                    }
                    let group = merged[first]!
                    let g = group.grad!
                    if conv.activation != .none {
                        let pd = try OpDescriptors.activationBackward(conv.activation, diff: g.desc, dst: group.out.desc, hint: nil, ctx)
                        let prim = try make(pd, op: "\(conv.activation) backward of \(name(i)) and its siblings")
                        steps.append(Step(prim, [(Arg.dst, group.out), (Arg.diffDst, g), (Arg.diffSrc, g)]))
                    }
                    let xd = out[x]!.desc, od = group.out.desc
                    let pd = try OpDescriptors.convolutionBackwardData(
                        diffSrc: .any([1, xd.channels, xd.height, xd.width], dt), weights: .any(group.conv.dnnlWeightDims, dt),
                        diffDst: .any([1, od.channels, od.height, od.width], dt), window: windows[i]!, hint: group.forward, ctx)
                    let prim = try make(pd, op: "convolution backward data of \(name(i)) and its siblings")
                    let wts = try store.weights(node: -i, conv: group.conv, as: pd.md(dnnl_query_weights_md))
                    var dd = g
                    let ddMD = pd.md(dnnl_query_diff_dst_md)
                    if !g.desc.equals(ddMD) {
                        dd = try temp(ddMD, &inTemps)
                        let r = try make(OpDescriptors.reorder(from: g.desc, to: ddMD, accumulate: false, ctx), op: "gradient of \(name(i)) and its siblings layout")
                        steps.append(Step(r, [(Arg.src, g), (Arg.dst, dd)]))
                    }
                    let (ds, finish) = try destination(x, pd.md(dnnl_query_diff_src_md))
                    steps.append(Step(prim, [(Arg.diffDst, dd), (Arg.weights, wts), (Arg.diffSrc, ds)]))
                    try finish()
                    break
                }
                let g = try grad(i)
                if conv.activation != .none {
                    let pd = try OpDescriptors.activationBackward(conv.activation, diff: g.desc, dst: out[i]!.desc, hint: nil, ctx)
                    let prim = try make(pd, op: "\(conv.activation) backward of \(name(i))")
                    // In place: this node's gradient is not needed once passed on.
                    steps.append(Step(prim, [(Arg.dst, out[i]!), (Arg.diffDst, g), (Arg.diffSrc, g)]))
                }
                // The image's only reader, strided with few channels: a forward convolution and a shuffle
                // instead of backward-data (`PhaseGradient`). Its phase weights are stored past the nodes' keys.
                if x == 0, imageReaders == 1, contributions[0] == 0, PhaseGradient.applies(to: conv),
                   let phase = try PhaseGradient(forward: conv, height: height, width: width).convolution(
                       of: g, weightKey: graph.nodes.count + i, store: store, ctx: ctx, name: name(i), make: { try make($0, op: $1) }) {
                    steps.append(phase.step)
                    shuffle = phase.shuffle
                    contributions[0] = 1
                    break
                }
                let xd = out[x]!.desc, od = out[i]!.desc
                // The image's gradient leaves in f32 even in bf16: the last rounding is avoided.
                let st = x == 0 ? dnnl_f32 : dt
                var pd = try OpDescriptors.convolutionBackwardData(
                    diffSrc: .any([1, xd.channels, xd.height, xd.width], st), weights: .any(conv.dnnlWeightDims, dt),
                    diffDst: .any([1, od.channels, od.height, od.width], dt), window: windows[i]!, hint: forwardPD[i]!, ctx)
                if winograd(conv) {
                    let wpd = try? OpDescriptors.convolutionBackwardData(
                        diffSrc: .any([1, xd.channels, xd.height, xd.width]), weights: .any(conv.dnnlWeightDims),
                        diffDst: .any([1, od.channels, od.height, od.width]), window: windows[i]!, hint: forwardPD[i]!, winograd: true, ctx)
                    pd = try pick(pd, wpd, node: i, backward: true,
                                  args: [(Arg.diffDst, dnnl_query_diff_dst_md, 0), (Arg.weights, dnnl_query_weights_md, 0),
                                         (Arg.diffSrc, dnnl_query_diff_src_md, 0)])
                }
                if pd.isReference {
                    // Seen on the first layer (3 input channels): blocked diff_dst has no fast
                    // kernel there, plain layouts get the gemm one.
                    pd = try OpDescriptors.convolutionBackwardData(
                        diffSrc: .nchw(xd.channels, xd.height, xd.width, st), weights: .any(conv.dnnlWeightDims, dt),
                        diffDst: .nchw(od.channels, od.height, od.width, dt), window: windows[i]!, hint: forwardPD[i]!, ctx)
                }
                let prim = try make(pd, op: "convolution backward data of \(name(i))")
                let wts = try store.weights(node: i, conv: conv, as: pd.md(dnnl_query_weights_md))
                let dd = try gradient(i, as: pd.md(dnnl_query_diff_dst_md))
                let (ds, finish) = try destination(x, pd.md(dnnl_query_diff_src_md))
                steps.append(Step(prim, [(Arg.diffDst, dd), (Arg.weights, wts), (Arg.diffSrc, ds)]))
                try finish()

            case .relu:
                let g = try grad(i)
                let pd = try OpDescriptors.reluBackward(diff: g.desc, dst: out[i]!.desc, hint: forwardPD[i]!, ctx)
                let prim = try make(pd, op: "relu backward of \(name(i))")
                let (ds, finish) = try destination(x, pd.md(dnnl_query_diff_src_md))
                steps.append(Step(prim, [(Arg.dst, out[i]!), (Arg.diffDst, g), (Arg.diffSrc, ds)]))
                try finish()

            case .maxPool(let pool), .avgPool(let pool):
                let isMax: Bool
                if case .maxPool = node.op { isMax = true } else { isMax = false }
                let fpd = forwardPD[i]!
                let pd = try OpDescriptors.poolingBackward(
                    max: isMax, includePadding: pool.countIncludePad, diffSrc: fpd.md(dnnl_query_src_md),
                    diffDst: fpd.md(dnnl_query_dst_md), window: windows[i]!, hint: fpd, ctx)
                let prim = try make(pd, op: "pooling backward of \(name(i))")
                let dd = try gradient(i, as: pd.md(dnnl_query_diff_dst_md))
                let (ds, finish) = try destination(x, pd.md(dnnl_query_diff_src_md))
                var args = [(Arg.diffDst, dd), (Arg.diffSrc, ds)]
                if let ws = workspace[i] { args.append((Arg.workspace, ws)) }
                steps.append(Step(prim, args))
                try finish()

            case .concat:
                // Each input's gradient is its channel slice of this node's gradient.
                var whole = try grad(i)
                var offset = 0
                for j in node.inputs {
                    if let slot = slots[j], slot.concat == i, consumers[j] == 1, !targets.contains(j), whole.desc.equals(out[i]!.desc) {
                        // The slice itself, not a copy of it: j's output is that slice of ours, so its
                        // gradient (same layout) can be, and nothing else adds to it (we are its only
                        // consumer, it is not a target). Replaces an earlier program's memory for j, which
                        // that program keeps.
                        let g = try Memory(out[j]!.desc, ctx)
                        try g.place(in: whole, at: slot.byteOffset)
                        grads[j] = g
                        slicedGrads.insert(j)
                        contributions[j] = 1
                        offset += out[j]!.desc.channels
                        continue
                    }
                    let c = out[j]!.desc.channels
                    var slice: MemoryDesc
                    do {
                        slice = try whole.desc.channelSlice(offset: offset, channels: c)
                    } catch {
                        // Slices that cut through a channel block cannot be described: go plain.
                        let od = whole.desc
                        whole = try gradient(i, as: .nchw(od.channels, od.height, od.width, dt))
                        slice = try whole.desc.channelSlice(offset: offset, channels: c)
                    }
                    try contribute(Memory(view: slice, of: whole, ctx), to: j)
                    offset += c
                }

            case .add:
                // Every input's gradient is this node's gradient (added to what it already has).
                let g = try grad(i)
                for j in node.inputs { try contribute(g, to: j) }
            }
        }
        guard contributions[0] > 0 else {
            throw OneDNNError.objectiveIgnoresInput
        }
        return Program(steps: steps, shuffle: shuffle)
    }
}
