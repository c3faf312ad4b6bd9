/// An inference-time batch norm y = gamma (x - mean) / sqrt(var + eps) + beta after a conv without
/// bias is a conv with bias: w' = w * s, b' = beta - mean * s, for s = gamma / sqrt(var + eps) per
/// output channel. Folding it at load leaves the graph with convs only. `gamma` nil: a norm
/// without scale (Inception-v3's).
func foldBatchNorm(weight: Tensor, gamma: Tensor?, beta: Tensor, mean: Tensor, variance: Tensor,
                   eps: Float) -> (weight: Tensor, bias: Tensor) {
    var w = weight
    let k = w.shape[0]
    let per = w.count / k
    var bias = Tensor(zeros: [k])
    for o in 0..<k {
        let inv = 1 / (variance.data[o] + eps).squareRoot()
        let s = gamma.map { $0.data[o] * inv } ?? inv
        for i in (o * per)..<((o + 1) * per) { w.data[i] *= s }
        bias.data[o] = beta.data[o] - mean.data[o] * s
    }
    return (w, bias)
}
