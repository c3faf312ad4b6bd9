import CDNNL
import Dispatch

/// The image's gradient through a strided first convolution with few input channels, computed as one
/// forward convolution of the output gradient followed by a pixel shuffle, instead of oneDNN's
/// backward-data, whose kernels block the 3 image channels 16 to a vector and waste most of their work
/// (Inception-v3's first layer at 640x360, Zen 5: `jit:avx512_core` backward-data 3.86 ms on 1 thread,
/// 2.46 ms on 2; bf16 `x64:gemm:jit` 1.91 ms, no faster on 2 threads; `tools/layer_profile.py`).
///
/// Why it is the same sum: forward, output (i, j) reads input row s*i + ky - padTop. So padded input
/// row Y' = Y + padTop = s*m + py (phase py in 0..<s) gets gradient only from the taps ky = py + s*t,
/// t = 0, 1, ..., through output row i = m - t. Each phase (py, px) is therefore a stride-1 correlation
/// of the output gradient g (oc channels) with ceil(k/s) taps a side. All phases and input channels are
/// one stride-1 convolution of g with s*s*ic output channels ("phase channels"):
///
///     z[(py*sW + px)*ic + c, m, n] = sum over o, a, b of V[(py*sW + px)*ic + c, o, a, b] * g[o, m + a - (T-1), n + b - (T-1)]
///     V[(py*sW + px)*ic + c, o, a, b] = W[o, c, py + sH*(TH-1-a), px + sW*(TW-1-b)]   (0 where that tap is past the kernel)
///
/// padded T-1 before (a = T-1-t) and at most T-1 after; rows of g outside it are the padding's zeros,
/// so image rows and columns the forward never read get 0, as backward-data gives them. Then the
/// shuffle (`PhaseShuffle`) copies z[(py*sW + px)*ic + c, m, n] to image pixel (c, sH*m + py - padTop,
/// sW*n + px - padLeft): every pixel written once, by one phase. The convolution reads g, with its
/// 32 or 64 channels, in the layout the forward wrote it: the forward kernels run at full vector width.
struct PhaseGradient {
    /// The phase convolution: weights V [sH*sW*ic, oc, TH, TW], zero bias, no activation.
    let conv: Conv
    let window: Window
    /// Its output's height and width, in phase positions.
    let rows: Int, columns: Int
    let strideH: Int, strideW: Int
    let inChannels: Int
    /// The image's size.
    let height: Int, width: Int
    /// Where each phase's block of the phase convolution's output goes in the image.
    let phases: [Phase]

    struct Phase {
        /// The block's first channel in the phase convolution's output (inChannels channels).
        var channel: Int
        /// The block's first row and column, and its size, in phase positions.
        var row: Int, column: Int, rows: Int, columns: Int
        /// The image pixel of the block's first position.
        var imageRow: Int, imageColumn: Int
    }

    /// Used where the measurements say it pays: a strided convolution reading at most 4 channels (the
    /// image's 3), not grouped. (Measured per network, precision and thread count: DEVELOPERS.md, Speed.)
    static func applies(to c: Conv) -> Bool {
        c.groups == 1 && c.inChannels <= 4 && (c.strideH > 1 || c.strideW > 1)
    }

    /// For `forward`, a convolution that `applies`, on an image of height x width (which it fits).
    init(forward: Conv, height: Int, width: Int) {
        let (sH, sW, kH, kW, ic, oc) = (forward.strideH, forward.strideW, forward.kernelH, forward.kernelW, forward.inChannels, forward.outChannels)
        let p = forward.padding
        let tH = (kH + sH - 1) / sH, tW = (kW + sW - 1) / sW
        let out = forward.outputSize(height: height, width: width)
        // Phase rows the image has: padded rows Y' = Y + padTop up to height - 1 + padTop. Past the
        // gradient's last row, phase row m still gets taps from rows m - t for t < T; further on, only
        // zeros, which the shuffle writes without computing them. So at most T-1 rows of padding after:
        // oneDNN's direct kernels refuse a padding as large as the kernel (1-tap phases, stride >= kernel).
        let neededRows = (height + p.top + sH - 1) / sH, neededColumns = (width + p.left + sW - 1) / sW
        let padAfterH = max(0, min(tH - 1, neededRows - out.height)), padAfterW = max(0, min(tW - 1, neededColumns - out.width))
        rows = out.height + padAfterH
        columns = out.width + padAfterW
        window = Window(strides: [1, 1], kernel: [Int64(tH), Int64(tW)], padBefore: [Int64(tH - 1), Int64(tW - 1)],
                        padAfter: [Int64(padAfterH), Int64(padAfterW)])
        strideH = sH; strideW = sW; inChannels = ic
        self.height = height; self.width = width

        let w = forward.weight.data
        var v = [Float](repeating: 0, count: sH * sW * ic * oc * tH * tW)
        for py in 0..<sH {
            for px in 0..<sW {
                for c in 0..<ic {
                    let ch = (py * sW + px) * ic + c
                    for o in 0..<oc {
                        for a in 0..<tH {
                            let ky = py + sH * (tH - 1 - a)
                            guard ky < kH else { continue }
                            for b in 0..<tW {
                                let kx = px + sW * (tW - 1 - b)
                                guard kx < kW else { continue }
                                v[((ch * oc + o) * tH + a) * tW + b] = w[((o * ic + c) * kH + ky) * kW + kx]
                            }
                        }
                    }
                }
            }
        }
        conv = Conv(weight: Tensor(shape: [sH * sW * ic, oc, tH, tW], data: v), bias: Tensor(zeros: [sH * sW * ic]),
                    padding: .zero, activation: .none, groups: 1)

        // Phase (py, px) covers image rows Y = sH*m + py - padTop for m from the first that is >= 0 to
        // the last that is < height.
        func span(phase: Int, stride: Int, padBefore: Int, size: Int) -> (first: Int, count: Int) {
            let first = max(0, (padBefore - phase + stride - 1) / stride)
            let lastPadded = size - 1 + padBefore - phase
            guard lastPadded >= 0 else { return (first, 0) }
            return (first, max(0, lastPadded / stride - first + 1))
        }
        var phases: [Phase] = []
        for py in 0..<sH {
            let r = span(phase: py, stride: sH, padBefore: p.top, size: height)
            for px in 0..<sW {
                let c = span(phase: px, stride: sW, padBefore: p.left, size: width)
                guard r.count > 0, c.count > 0 else { continue }
                phases.append(Phase(channel: (py * sW + px) * ic, row: r.first, column: c.first, rows: r.count, columns: c.count,
                                    imageRow: sH * r.first + py - p.top, imageColumn: sW * c.first + px - p.left))
            }
        }
        self.phases = phases
    }

    /// The phase convolution of `gradient`, the forward convolution's output gradient (after its
    /// activation's backward), and the shuffle that reads its output. nil (nothing built) where oneDNN
    /// offers only a reference kernel, or lays the output out in a way the shuffle cannot read.
    /// `weightKey` names the phase weights in `store` (one per forward convolution, any image size).
    func convolution(of g: Memory, weightKey: Int, store: WeightStore, ctx: DNNLContext,
                     name: String, make: (PrimitiveDesc, String) throws -> Primitive) throws -> (step: Step, shuffle: PhaseShuffle)? {
        let phaseChannels = conv.outChannels
        let pd = try OpDescriptors.convolutionForward(
            src: g.desc, weights: .any(conv.dnnlWeightDims, g.desc.raw.data_type), bias: MemoryDesc(dims: [phaseChannels], tag: dnnl_x),
            dst: .any([1, phaseChannels, rows, columns], dnnl_f32), window: window, activation: .none, ctx)
        let zMD = pd.md(dnnl_query_dst_md)
        guard !pd.isReference, pd.md(dnnl_query_src_md).equals(g.desc), zMD.raw.data_type == dnnl_f32,
              let strides = Self.strides(of: zMD) else { return nil }
        let z = try Memory(zMD, ctx)
        let wts = try store.weights(node: weightKey, conv: conv, as: pd.md(dnnl_query_weights_md))
        let bias = try store.bias(node: weightKey, conv: conv)
        let step = Step(try make(pd, "phase convolution (image gradient) of \(name)"), [(Arg.src, g), (Arg.weights, wts), (Arg.bias, bias), (Arg.dst, z)])
        return (step, PhaseShuffle(phases: self, source: z, strides: strides))
    }

    /// Where element (c, y, x) of a [1, C, H, W] layout sits: channelOffsets[c] + y*row + x*column
    /// elements from the start. Plain strided layouts, and layouts blocked on channels alone (nChw8c,
    /// nChw16c: c/B*stride + c%B); nil for any other.
    static func strides(of md: MemoryDesc) -> (channelOffsets: [Int], row: Int, column: Int)? {
        let d = md.raw
        guard d.ndims == 4, d.dims.0 == 1, d.format_kind == dnnl_blocked, d.offset0 == 0 else { return nil }
        let b = d.format_desc.blocking
        let channels = Int(d.dims.1)
        if b.inner_nblks == 0 { return ((0..<channels).map { $0 * Int(b.strides.1) }, Int(b.strides.2), Int(b.strides.3)) }
        guard b.inner_nblks == 1, b.inner_idxs.0 == 1, b.inner_blks.0 > 0 else { return nil }
        let block = Int(b.inner_blks.0)
        return ((0..<channels).map { $0 / block * Int(b.strides.1) + $0 % block }, Int(b.strides.2), Int(b.strides.3))
    }
}

/// The permutation from the phase convolution's output to the plain image gradient [ic, H, W]: each
/// image pixel copied once from its phase's channel, nothing added. Done while the gradient leaves the
/// engine (it replaces that copy), in row bands on `threads` cores. oneDNN's strided reorders did the
/// same in 0.56-0.61 ms on 1 thread (four `jit:uni` reorders of 3x180x320, Inception-v3 at 640x360).
struct PhaseShuffle {
    let phases: PhaseGradient
    /// The phase convolution's output (f32), read through `strides`.
    let source: Memory
    let strides: (channelOffsets: [Int], row: Int, column: Int)
    var height: Int { phases.height }
    var width: Int { phases.width }

    /// Writes the image gradient, ic*height*width floats, to `out`.
    func write(into out: UnsafeMutablePointer<Float>, threads: Int) {
        let bands = max(1, min(threads, height))
        if bands == 1 { return write(rows: 0..<height, into: out) }
        // Disjoint rows per band: no two bands write the same float.
        DispatchQueue.concurrentPerform(iterations: bands) { b in
            write(rows: (b * height / bands)..<((b + 1) * height / bands), into: out)
        }
    }

    private func write(rows: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let z = UnsafePointer(source.floats)
        let (channelOffsets, rs, ws) = strides
        let (sH, sW, ic) = (phases.strideH, phases.strideW, phases.inChannels)
        // Row by row of the image, so that the phases of one row read the same row of z while it is in
        // the cache (phase by phase over the whole image took 0.85 ms a step for 640x360, 1 thread).
        for y in rows {
            for p in phases.phases {
                let d = y - p.imageRow
                guard d >= 0, d % sH == 0, d / sH < p.rows else { continue }
                let m = p.row + d / sH
                // Positions past the phase convolution's output have no taps: zeros.
                let computed = m < phases.rows ? max(0, min(p.columns, phases.columns - p.column)) : 0
                for c in 0..<ic {
                    var dst = out + (c * height + y) * width + p.imageColumn
                    if computed > 0 {
                        var src = z + channelOffsets[p.channel + c] + m * rs + p.column * ws
                        for _ in 0..<computed {
                            dst.pointee = src.pointee
                            src += ws; dst += sW
                        }
                    }
                    for _ in computed..<p.columns {
                        dst.pointee = 0
                        dst += sW
                    }
                }
            }
        }
    }
}
