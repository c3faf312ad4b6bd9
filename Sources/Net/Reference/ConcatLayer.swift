// Concatenation along channels. xs[i] [Ci, H, W] -> y [sum Ci, H, W]

func concatForward(_ xs: [Tensor]) -> Tensor {
    let (H, W) = (xs[0].shape[1], xs[0].shape[2])
    for x in xs { precondition(x.shape[1] == H && x.shape[2] == W, "concat of \(x.shape) with \(xs[0].shape)") }
    var data: [Float] = []
    data.reserveCapacity(xs.reduce(0) { $0 + $1.count })
    for x in xs { data.append(contentsOf: x.data) }
    return Tensor(shape: [xs.reduce(0) { $0 + $1.shape[0] }, H, W], data: data)
}

/// dy split back into one slice per input.
func concatBackward(_ dy: Tensor, inputShapes: [[Int]]) -> [Tensor] {
    var start = 0
    return inputShapes.map { shape in
        let n = shape.reduce(1, *)
        defer { start += n }
        return Tensor(shape: shape, data: Array(dy.data[start..<(start + n)]))
    }
}
