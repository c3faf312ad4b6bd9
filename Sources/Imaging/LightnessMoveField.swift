/// How far colour coherence moves each pixel's L* toward the lightness where the reference has the
/// colour the palette transfer gives it (`ChromaLimit.lightness`), as a smooth field: the moves
/// are found on a grid of every `step`-th pixel of every `step`-th row (the palette fit's sample, at
/// most 320x180), blurred there and read bilinearly by every pixel. So parts of the picture move
/// together and keep their own L* detail. Moved pixel by pixel, a few of a photo's pale dream tints
/// that the transfer took for its trees' green ran away to that green's lightness frame after frame,
/// and the 4000x3000 photo's pale texture filled with olive specks (frames 100-300 of the default
/// walk at 320x180); a flat logo's coloured areas came out flat, all at one lightness.
struct LightnessMoveField {
    /// The blur's sigma in grid pixels per 180 of the grid's shorter side: 2 pixels at 320x180.
    /// The specks were 2-6 pixels across there; sigma 4 kept the red logo's pinks from their red
    /// (worst window 0.566 against 0.621 at 2, both at share 0.7).
    static let sigmaPer180 = 2.0

    private let width: Int, height: Int, step: Int
    private let gridWidth: Int, gridHeight: Int
    private let moves: [Float]

    /// `move(i)`: the move of pixel i (index in the width x height picture), asked for grid pixels only.
    init(width: Int, height: Int, step: Int, move: (Int) -> Float) {
        precondition(width > 0 && height > 0 && step > 0)
        self.width = width; self.height = height; self.step = step
        let gw = Swift.max(1, width / step), gh = Swift.max(1, height / step)
        gridWidth = gw; gridHeight = gh
        var raw = [Float](repeating: 0, count: gw * gh)
        for y in 0..<gh {
            // Grid pixel (x, y) is pixel (x * step, y * step): inside, as the grid is width / step wide.
            for x in 0..<gw { raw[y * gw + x] = move(y * step * width + x * step) }
        }
        let sigma = Self.sigmaPer180 * Double(Swift.min(gw, gh)) / 180
        moves = FloatImage.blurredPlanes(raw, width: gw, height: gh, planes: 1, sigma: sigma)
    }

    /// The move at every pixel (width x height, row-major), bilinear between grid pixels (edge grid
    /// pixels hold beyond); rows on every core.
    func perPixel() -> [Float] {
        var out = [Float](repeating: 0, count: width * height)
        let gw = gridWidth, gh = gridHeight, w = width, step = Float(step)
        moves.withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { o in
                Bands.forEach(height) { rows in
                    for y in rows {
                        let fy = Swift.min(Float(gh - 1), Float(y) / step)
                        let j = Swift.max(0, Swift.min(gh - 2, Int(fy)))
                        let ty = gh > 1 ? fy - Float(j) : 0
                        let below = gh > 1 ? gw : 0
                        for x in 0..<w {
                            let fx = Swift.min(Float(gw - 1), Float(x) / step)
                            let i = Swift.max(0, Swift.min(gw - 2, Int(fx)))
                            let tx = gw > 1 ? fx - Float(i) : 0
                            let right = gw > 1 ? 1 : 0
                            let k = j * gw + i
                            let top = m[k] + tx * (m[k + right] - m[k])
                            let bottom = m[k + below] + tx * (m[k + below + right] - m[k + below])
                            o[y * w + x] = top + ty * (bottom - top)
                        }
                    }
                }
            }
        }
        return out
    }
}
