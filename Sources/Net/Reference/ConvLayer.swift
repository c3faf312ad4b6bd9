// Grouped convolution, followed by a fused activation (none, ReLU or ReLU6).
// x [C, H, W], weight [K, C/G, R, S], bias [K] -> y [K, OH, OW], G = groups
// Output channel k sees only the input channels of its group: g = k / (K/G), c in g*(C/G) ..< (g+1)*(C/G).
// OH = (H + pad.top + pad.bottom - R) / strideH + 1, likewise OW.

/// The output positions `o` along one axis whose input position `o * stride + offset` lies in
/// 0..<inputSize, so the inner loops need no bounds test for padding.
func validOutputs(outputSize: Int, inputSize: Int, stride: Int, offset: Int) -> Range<Int> {
    // smallest o with o * stride + offset >= 0
    var lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride
    // largest o with o * stride + offset <= inputSize - 1
    let top = inputSize - 1 - offset
    var hi = top < 0 ? -1 : top / stride
    lo = max(lo, 0)
    hi = min(hi, outputSize - 1)
    return lo <= hi ? lo..<(hi + 1) : 0..<0
}

func convOutputShape(_ x: [Int], _ conv: Conv) -> [Int] {
    let o = conv.outputSize(height: x[1], width: x[2])
    return [conv.outChannels, o.height, o.width]
}

func convForward(_ x: Tensor, _ conv: Conv) -> Tensor {
    let (C, H, W) = (x.shape[0], x.shape[1], x.shape[2])
    precondition(C == conv.inChannels, "conv expects \(conv.inChannels) channels, got \(C)")
    let outShape = convOutputShape(x.shape, conv)
    let (K, OH, OW) = (outShape[0], outShape[1], outShape[2])
    let (R, S) = (conv.kernelH, conv.kernelW)
    let (sh, sw) = (conv.strideH, conv.strideW)
    let (pt, pl) = (conv.padding.top, conv.padding.left)
    let (Cg, Kg) = (C / conv.groups, K / conv.groups)
    var y = Tensor(zeros: outShape)
    x.data.withUnsafeBufferPointer { xp in
    conv.weight.data.withUnsafeBufferPointer { wp in
    conv.bias.data.withUnsafeBufferPointer { bp in
    y.data.withUnsafeMutableBufferPointer { yp in
        for k in 0..<K {
            let yk = k * OH * OW
            for i in 0..<(OH * OW) { yp[yk + i] = bp[k] }
            let c0 = (k / Kg) * Cg
            for cg in 0..<Cg {
                let xc = (c0 + cg) * H * W
                for r in 0..<R {
                    let oys = validOutputs(outputSize: OH, inputSize: H, stride: sh, offset: r - pt)
                    for s in 0..<S {
                        let w = wp[((k * Cg + cg) * R + r) * S + s]
                        let oxs = validOutputs(outputSize: OW, inputSize: W, stride: sw, offset: s - pl)
                        for oy in oys {
                            let iy = oy * sh + r - pt
                            for ox in oxs {
                                let ix = ox * sw + s - pl
                                yp[yk + oy * OW + ox] += w * xp[xc + iy * W + ix]
                            }
                        }
                    }
                }
            }
            switch conv.activation {
            case .none: break
            case .relu: for i in 0..<(OH * OW) { yp[yk + i] = max(yp[yk + i], 0) }
            case .relu6: for i in 0..<(OH * OW) { yp[yk + i] = min(max(yp[yk + i], 0), 6) }
            }
        }
    }}}}
    return y
}

/// dx for dy; `y` is the forward output, needed only to undo the fused activation: the gradient
/// passes where y > 0 (ReLU) or 0 < y < 6 (ReLU6), the inputs whose change moves the output.
func convBackward(_ dy: Tensor, y: Tensor, inputShape: [Int], _ conv: Conv) -> Tensor {
    let (C, H, W) = (inputShape[0], inputShape[1], inputShape[2])
    let (K, OH, OW) = (dy.shape[0], dy.shape[1], dy.shape[2])
    let (R, S) = (conv.kernelH, conv.kernelW)
    let (sh, sw) = (conv.strideH, conv.strideW)
    let (pt, pl) = (conv.padding.top, conv.padding.left)
    let (Cg, Kg) = (C / conv.groups, K / conv.groups)
    var g = dy
    switch conv.activation {
    case .none: break
    case .relu: for i in 0..<g.count where y.data[i] <= 0 { g.data[i] = 0 }
    case .relu6: for i in 0..<g.count where y.data[i] <= 0 || y.data[i] >= 6 { g.data[i] = 0 }
    }
    var dx = Tensor(zeros: inputShape)
    g.data.withUnsafeBufferPointer { gp in
    conv.weight.data.withUnsafeBufferPointer { wp in
    dx.data.withUnsafeMutableBufferPointer { dxp in
        for k in 0..<K {
            let gk = k * OH * OW
            let c0 = (k / Kg) * Cg
            for cg in 0..<Cg {
                let xc = (c0 + cg) * H * W
                for r in 0..<R {
                    let oys = validOutputs(outputSize: OH, inputSize: H, stride: sh, offset: r - pt)
                    for s in 0..<S {
                        let w = wp[((k * Cg + cg) * R + r) * S + s]
                        let oxs = validOutputs(outputSize: OW, inputSize: W, stride: sw, offset: s - pl)
                        for oy in oys {
                            let iy = oy * sh + r - pt
                            for ox in oxs {
                                let ix = ox * sw + s - pl
                                dxp[xc + iy * W + ix] += w * gp[gk + oy * OW + ox]
                            }
                        }
                    }
                }
            }
        }
    }}}
    return dx
}
