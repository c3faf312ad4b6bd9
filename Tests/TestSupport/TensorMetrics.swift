import Net

/// Cosine of the angle between two tensors' values (1: same direction), in Double.
public func cosine(_ a: Tensor, _ b: Tensor) -> Double {
    let dot = zip(a.data, b.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    let na = a.data.reduce(0.0) { $0 + Double($1 * $1) }, nb = b.data.reduce(0.0) { $0 + Double($1 * $1) }
    return dot / (na * nb).squareRoot()
}
