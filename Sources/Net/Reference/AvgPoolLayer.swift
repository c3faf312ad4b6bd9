// Average pooling. x [C, H, W] -> y [C, OH, OW] (see PoolGeometry)
// Divisor: the window clipped to the input, or with countIncludePad the window clipped to the
// declared padding (the ceil-mode extra never counts), as in PyTorch.

private func divisor(_ win: (rows: Range<Int>, cols: Range<Int>, paddedCount: Int), _ pool: Pool) -> Float {
    Float(pool.countIncludePad ? win.paddedCount : win.rows.count * win.cols.count)
}

func avgPoolForward(_ x: Tensor, _ pool: Pool) -> Tensor {
    let g = PoolGeometry(x.shape, pool)
    var y = Tensor(zeros: g.outputShape)
    for c in 0..<g.C {
        for oy in 0..<g.OH {
            for ox in 0..<g.OW {
                let win = g.window(oy, ox)
                var sum: Float = 0
                for iy in win.rows {
                    for ix in win.cols { sum += x.data[(c * g.H + iy) * g.W + ix] }
                }
                y.data[(c * g.OH + oy) * g.OW + ox] = sum / divisor(win, pool)
            }
        }
    }
    return y
}

func avgPoolBackward(_ dy: Tensor, inputShape: [Int], _ pool: Pool) -> Tensor {
    let g = PoolGeometry(inputShape, pool)
    var dx = Tensor(zeros: inputShape)
    for c in 0..<g.C {
        for oy in 0..<g.OH {
            for ox in 0..<g.OW {
                let win = g.window(oy, ox)
                let share = dy.data[(c * g.OH + oy) * g.OW + ox] / divisor(win, pool)
                for iy in win.rows {
                    for ix in win.cols { dx.data[(c * g.H + iy) * g.W + ix] += share }
                }
            }
        }
    }
    return dx
}
