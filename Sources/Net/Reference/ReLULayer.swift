// ReLU. x [C, H, W] -> y [C, H, W]

func reluForward(_ x: Tensor) -> Tensor {
    var y = x
    for i in 0..<y.count where y.data[i] < 0 { y.data[i] = 0 }
    return y
}

/// The gradient passes where the output is positive.
func reluBackward(_ dy: Tensor, y: Tensor) -> Tensor {
    var dx = dy
    for i in 0..<dx.count where y.data[i] <= 0 { dx.data[i] = 0 }
    return dx
}
