/// What a dream step maximises: the weighted sum over terms of the mean of squared activations of a
/// layer (optionally only some of its channels).
public struct Objective: Sendable, Equatable {
    public struct Term: Sendable, Equatable {
        public var layer: String
        public var weight: Float
        /// nil: every channel.
        public var channels: [Int]?
        public init(layer: String, weight: Float = 1, channels: [Int]? = nil) {
            self.layer = layer; self.weight = weight; self.channels = channels
        }
    }
    public var terms: [Term]
    public init(terms: [Term]) { self.terms = terms }
    public init(layer: String) { self.terms = [Term(layer: layer)] }
}
