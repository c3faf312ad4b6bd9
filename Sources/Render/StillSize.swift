import Foundation
import Imaging

/// The size `dream` gives a picture when no --size is given.
public enum StillSize {
    /// Longest side kept from the input when no --size is given: larger pictures are dreamed in tiles
    /// anyway, and a 1280-pixel dream already takes a minute on two cores.
    public static let maxSide = 1280

    /// The input as it is, or scaled down to fit maxSide x maxSide; a picture with a side below 75
    /// (1x1, 8x2000) is scaled up to cover 75 a side instead, and `note` says so.
    public static func kept(_ image: FloatImage, name: String) -> (image: FloatImage, note: String?) {
        let scale = min(1, Double(maxSide) / Double(max(image.width, image.height)))
        let w = Int((Double(image.width) * scale).rounded()), h = Int((Double(image.height) * scale).rounded())
        guard OutputSize.sides.contains(w), OutputSize.sides.contains(h) else {
            let fit = OutputSize.fitting(image.width, image.height, name: name, box: (maxSide, maxSide), even: false)
            return (image.coverCropped(width: fit.size.width, height: fit.size.height), fit.note ?? fit.clause)
        }
        return (scale < 1 ? image.resized(width: w, height: h) : image, nil)
    }
}
