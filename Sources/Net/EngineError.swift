/// What an engine refuses to run.
public enum EngineError: Error, CustomStringConvertible, Equatable {
    case badInputShape([Int])
    case nodeOutOfRange(Int, count: Int)
    case channelOutOfRange(node: String, channel: Int, channels: Int)
    case emptyObjective
    case inputTooSmall(node: String, shape: [Int])
    case unsupportedPrecision(Precision, engine: String)

    public var description: String {
        switch self {
        case .badInputShape(let s):
            return "network input has shape \(s); expected [3, H, W]"
        case .nodeOutOfRange(let i, let n):
            return "node \(i) does not exist (the graph has \(n) nodes); name a layer of this network"
        case .channelOutOfRange(let node, let c, let n):
            return "channel \(c) of layer \(node) does not exist (it has \(n) channels, 0...\(n - 1)); pick another channel"
        case .emptyObjective:
            return "the objective has no terms; name at least one layer"
        case .inputTooSmall(let node, let s):
            return "the image is too small for this network: layer \(node) would have shape \(s); use a larger image"
        case .unsupportedPrecision(let p, let engine):
            return "\(engine) cannot compute in \(p.rawValue); use f32, or the onednn engine for \(p.rawValue)"
        }
    }
}
