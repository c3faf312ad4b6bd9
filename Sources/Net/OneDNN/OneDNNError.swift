/// Why the oneDNN engine could not run. Each message says what is wrong and what to do.
public enum OneDNNError: Error, CustomStringConvertible, Equatable {
    /// A oneDNN call returned a failure status.
    case call(String, status: Int)
    /// oneDNN picked its slow reference kernel for an operation (it can be 100x slower).
    case referenceKernel(op: String, impl: String)
    /// The graph is malformed (bad input index, wrong channel count, ...).
    case invalidGraph(String)
    /// The input image is too small for the network (some layer's output would be empty).
    case inputTooSmall(height: Int, width: Int, node: String)
    /// The input tensor is not [3, H, W].
    case badInput(shape: [Int])
    /// A node index or channel in a request or objective does not exist.
    case badRequest(String)
    /// The thread count must be positive.
    case badThreadCount(Int)
    /// A combination this engine does not implement.
    case unsupported(String)

    public var description: String {
        switch self {
        case let .call(what, status):
            return "oneDNN call \(what) failed with status \(status); run with ONEDNN_VERBOSE=1 to see why"
        case let .referenceKernel(op, impl):
            return "oneDNN chose its slow reference kernel '\(impl)' for \(op); check the CPU supports AVX2/AVX-512 or report the layer shape"
        case let .invalidGraph(why):
            return "invalid network graph: \(why); fix the network definition"
        case let .inputTooSmall(h, w, node):
            return "a \(w)x\(h) image is too small for layer \(node); use a larger image or fewer octaves"
        case let .badInput(shape):
            return "the network input must have shape [3, H, W], got \(shape); pass an RGB image tensor"
        case let .badRequest(why):
            return "bad request to the oneDNN engine: \(why); use node indices and channels that exist in the graph"
        case let .badThreadCount(n):
            return "thread count \(n) is not positive; pass 1 or more threads"
        case let .unsupported(what):
            return "the oneDNN engine does not support \(what); use the reference engine for this network"
        }
    }
}
