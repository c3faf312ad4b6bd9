import Imaging
import Net
import Schedule

/// The bridge between pictures and the network: Imaging knows nothing of tensors (so Media and the
/// decoders' fuzz targets do not link oneDNN), and Net knows nothing of pictures.
extension FloatImage {
    /// The same values as a network input tensor [3, H, W].
    public var tensor: Tensor { Tensor(shape: [3, height, width], data: pixels) }

    public init(_ tensor: Tensor) {
        precondition(tensor.shape.count == 3 && tensor.shape[0] == 3, "not an RGB tensor: \(tensor.shape)")
        self.init(width: tensor.shape[2], height: tensor.shape[1], pixels: tensor.data)
    }
}
