/// What the frame loop needs of a network: its dreamable layers and the gradient of an objective
/// with respect to an RGB image in 0...255, shape [3, H, W]. Input conventions (channel order,
/// mean, scale) are the network's business, not the caller's.
public protocol DreamNetwork: AnyObject {
    var name: String { get }
    /// Layer names usable in an Objective, from shallow to deep.
    var layers: [String] { get }
    func gradient(of objective: Objective, at image: Tensor) throws -> (value: Float, gradient: Tensor)
}
