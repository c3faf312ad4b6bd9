import Imaging
import Net
import Schedule

/// A network that adds up the time spent in it: how a preview tells the dreaming from the rest.
public final class TimedNetwork: DreamNetwork {
    public let base: DreamNetwork
    public private(set) var spent: Duration = .zero
    private let clock = ContinuousClock()

    public init(_ base: DreamNetwork) { self.base = base }

    public var name: String { base.name }
    public var layers: [String] { base.layers }

    public func gradient(of objective: Objective, at image: Tensor) throws -> (value: Float, gradient: Tensor) {
        let t0 = clock.now
        defer { spent += clock.now - t0 }
        return try base.gradient(of: objective, at: image)
    }
}
