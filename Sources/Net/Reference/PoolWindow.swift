// Geometry shared by max and average pooling.
// x [C, H, W] -> y [C, OH, OW]; ceil mode adds `extra` rows/columns of padding at the bottom/right.

struct PoolGeometry {
    var C, H, W, OH, OW: Int
    var kh, kw, sh, sw: Int
    var padTop, padLeft, padBottom, padRight: Int   // as declared, without the ceil-mode extra

    init(_ shape: [Int], _ pool: Pool) {
        (C, H, W) = (shape[0], shape[1], shape[2])
        (kh, kw, sh, sw) = (pool.kernelH, pool.kernelW, pool.strideH, pool.strideW)
        let p = pool.padding
        (padTop, padLeft, padBottom, padRight) = (p.top, p.left, p.bottom, p.right)
        OH = pool.outputSize(input: H, kernel: kh, stride: sh, padBefore: p.top, padAfter: p.bottom).size
        OW = pool.outputSize(input: W, kernel: kw, stride: sw, padBefore: p.left, padAfter: p.right).size
    }

    var outputShape: [Int] { [C, OH, OW] }

    /// The window of output (oy, ox) clipped to the input, and its size counting the declared
    /// padding but not the ceil-mode extra (PyTorch's count_include_pad divisor).
    func window(_ oy: Int, _ ox: Int) -> (rows: Range<Int>, cols: Range<Int>, paddedCount: Int) {
        let y0 = oy * sh - padTop, x0 = ox * sw - padLeft
        let y1 = min(y0 + kh, H + padBottom), x1 = min(x0 + kw, W + padRight)
        let rows = max(y0, 0)..<min(y1, H)
        let cols = max(x0, 0)..<min(x1, W)
        return (rows, cols, (y1 - y0) * (x1 - x0))
    }
}
