// Max pooling; padding never wins. x [C, H, W] -> y [C, OH, OW] (see PoolGeometry)

func maxPoolForward(_ x: Tensor, _ pool: Pool) -> Tensor {
    let g = PoolGeometry(x.shape, pool)
    var y = Tensor(zeros: g.outputShape)
    for c in 0..<g.C {
        for oy in 0..<g.OH {
            for ox in 0..<g.OW {
                let win = g.window(oy, ox)
                var best = -Float.infinity
                for iy in win.rows {
                    for ix in win.cols { best = max(best, x.data[(c * g.H + iy) * g.W + ix]) }
                }
                y.data[(c * g.OH + oy) * g.OW + ox] = best
            }
        }
    }
    return y
}

/// Each output's gradient goes to the first input of its window holding the maximum.
func maxPoolBackward(_ dy: Tensor, x: Tensor, _ pool: Pool) -> Tensor {
    let g = PoolGeometry(x.shape, pool)
    var dx = Tensor(zeros: x.shape)
    for c in 0..<g.C {
        for oy in 0..<g.OH {
            for ox in 0..<g.OW {
                let win = g.window(oy, ox)
                var best = -Float.infinity, at = -1
                for iy in win.rows {
                    for ix in win.cols {
                        let i = (c * g.H + iy) * g.W + ix
                        if x.data[i] > best { best = x.data[i]; at = i }
                    }
                }
                if at >= 0 { dx.data[at] += dy.data[(c * g.OH + oy) * g.OW + ox] }
            }
        }
    }
    return dx
}
