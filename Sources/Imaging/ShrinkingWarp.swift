import Foundation

extension FloatImage {
    /// `warped(sourceFromOutput)` for a map that may shrink the picture many times over: the start image
    /// after many frames of zoom out (a mask's kept part), or frame 1 moved back by a loop's whole fade
    /// (1.05^90 = 80 times smaller). `warped` widens its kernel by the shrink factor, so its cost grows
    /// with the square of it (6400 plain warps at 80x); here the picture is first resized down by that
    /// factor (separable: the cost grows linearly), then warped by what is left of the map, which no
    /// longer shrinks. Nil when the picture would be smaller than `smallest` pixels across (there is
    /// nothing of it left to show), so no map ever reaches values an index cannot hold.
    public func warpedShrinking(_ sourceFromOutput: AffineTransform, kernel: ResamplingKernel,
                                smallest: Double = 1) -> FloatImage? {
        let shrink = sqrt(abs(sourceFromOutput.determinant))
        guard shrink.isFinite, shrink > 0, Double(max(width, height)) / shrink >= smallest else { return nil }
        if shrink <= 2 { return warped(sourceFromOutput, kernel: kernel) }
        let w = max(1, Int((Double(width) / shrink).rounded())), h = max(1, Int((Double(height) / shrink).rounded()))
        let small = resized(width: w, height: h, kernel: kernel)
        // A point of this picture (continuous coordinates, edges to edges) in the small one.
        let toSmall = AffineTransform(a: Double(w) / Double(width), b: 0, c: 0, d: Double(h) / Double(height), tx: 0, ty: 0)
        return small.warped(toSmall.after(sourceFromOutput), kernel: kernel, outputWidth: width, outputHeight: height)
    }
}
