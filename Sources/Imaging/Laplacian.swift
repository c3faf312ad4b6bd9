extension FloatImage {
    /// The gradient split into `levels` frequency bands (a Laplacian pyramid: each band is a level
    /// minus its half-size copy brought back up), each band divided by its root-mean-square, then
    /// summed again. Raw gradients are dominated by fine texture; this gives every scale the same
    /// say (the TensorFlow DeepDream notebook's lap_normalize).
    public func laplacianNormalised(levels: Int) -> FloatImage {
        var bands: [FloatImage] = []
        var current = self
        for _ in 1..<max(1, levels) {
            let w = current.width / 2, h = current.height / 2
            if w < 4 || h < 4 { break }
            let low = current.resized(width: w, height: h)
            bands.append(current.subtracting(low.resized(width: current.width, height: current.height)))
            current = low
        }
        bands.append(current)
        var out = bands.removeLast()
        out.scale(by: 1 / out.rootMeanSquare())
        while var band = bands.popLast() {
            band.scale(by: 1 / band.rootMeanSquare())
            var up = out.resized(width: band.width, height: band.height)
            up.add(band)
            out = up
        }
        return out
    }

    func rootMeanSquare() -> Float {
        pixels.withUnsafeBufferPointer { p in
            var s: Float = 0
            for v in p { s += v * v }
            return max(1e-20, (s / Float(max(1, p.count))).squareRoot())
        }
    }
}
