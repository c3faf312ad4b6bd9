/// Executes a Graph. One engine serves one graph; it may cache work per input size.
public protocol Engine: AnyObject {
    /// Activations of the requested nodes for `input` (shape [3, H, W], already normalised).
    func forward(_ input: Tensor, outputs: [Int]) throws -> [Tensor]

    /// The objective's value and its gradient with respect to `input`. Runs the graph only as far as
    /// the deepest node the objective reads. `terms` are (node index, weight, channels).
    func valueAndGradient(_ input: Tensor, terms: [(node: Int, weight: Float, channels: [Int]?)]) throws -> (value: Float, gradient: Tensor)
}

public enum BackendKind: String, Sendable, CaseIterable {
    /// oneDNN: the fast path.
    case onednn
    /// Plain Swift, readable and slow: what tests trust.
    case reference
}
