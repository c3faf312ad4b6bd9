// Elementwise sum (residual connections). xs[i] [C, H, W] -> y [C, H, W]

func addForward(_ xs: [Tensor]) -> Tensor {
    var y = xs[0]
    for x in xs.dropFirst() {
        precondition(x.shape == y.shape, "add of \(x.shape) and \(y.shape)")
        for i in 0..<y.count { y.data[i] += x.data[i] }
    }
    return y
}

/// Every input receives dy unchanged.
func addBackward(_ dy: Tensor, inputCount: Int) -> [Tensor] {
    Array(repeating: dy, count: inputCount)
}
