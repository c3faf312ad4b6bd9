/// Why the oneDNN engine could not run (problems common to all engines are EngineError). Each message says what is wrong and what to do.
public enum OneDNNError: Error, CustomStringConvertible, Equatable {
    /// A oneDNN call returned a failure status.
    case call(String, status: Int)
    /// oneDNN picked its slow reference kernel for an operation (it can be 100x slower).
    case referenceKernel(op: String, impl: String)
    /// The graph is malformed (bad input index, wrong channel count, ...).
    case invalidGraph(String)
    /// The objective does not depend on the input image.
    case objectiveIgnoresInput
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
        case .objectiveIgnoresInput:
            return "the objective's layers do not depend on the input image; pick layers of the network"
        case let .badThreadCount(n):
            return "thread count \(n) is not positive; pass 1 or more threads"
        case let .unsupported(what):
            return "the oneDNN engine does not support \(what); use the reference engine for this network"
        }
    }
}
