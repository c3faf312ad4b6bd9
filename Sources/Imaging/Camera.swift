/// The camera move between two frames: zoom about a centre, rotation, translation, composed into one
/// affine map and resampled once (resampling three times would blur three times).
public struct Camera: Sendable, Equatable {
    /// Scale per frame; > 1 zooms in.
    public var zoom: Double
    /// Degrees per frame, counter-clockwise as seen.
    public var rotation: Double
    /// Pixels per frame the picture moves (positive x: right, positive y: down).
    public var translationX: Double
    public var translationY: Double
    /// Fixed point of zoom and rotation, as a fraction of width and height.
    public var centreX: Double
    public var centreY: Double
    public var kernel: ResamplingKernel

    public init(zoom: Double = 1.05, rotation: Double = 0, translationX: Double = 0, translationY: Double = 0,
                centreX: Double = 0.5, centreY: Double = 0.5, kernel: ResamplingKernel = .lanczos3) {
        self.zoom = zoom; self.rotation = rotation
        self.translationX = translationX; self.translationY = translationY
        self.centreX = centreX; self.centreY = centreY; self.kernel = kernel
    }

    public var isIdentity: Bool { zoom == 1 && rotation == 0 && translationX == 0 && translationY == 0 }

    /// Where content moves: a point q of the previous frame appears at c + zoom * R * (q - c) + t.
    public func outputFromSource(width: Int, height: Int) -> AffineTransform {
        let cx = centreX * Double(width), cy = centreY * Double(height)
        return AffineTransform.translation(x: cx + translationX, y: cy + translationY)
            .after(.rotation(degrees: rotation))
            .after(.scale(zoom))
            .after(.translation(x: -cx, y: -cy))
    }

    public func next(_ frame: FloatImage) -> FloatImage {
        if isIdentity { return frame }
        return frame.warped(outputFromSource(width: frame.width, height: frame.height).inverse, kernel: kernel)
    }
}
