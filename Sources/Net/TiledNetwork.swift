/// Computes a large image's gradient tile by tile, so that memory grows with the tile, not the frame
/// (an engine keeps every activation of a step, per image size: ~1 KB per pixel to mixed_3, ~1.5 KB
/// to mixed_9). Each tile carries `margin` pixels of context on every side that it shares with its
/// neighbours; only its core's gradient is kept, so a seam never sees a tile's zero-padded border.
/// All tiles of an image have one size, so the engine builds one plan per image size, as untiled.
/// A dream rolls the image by a random offset before each step, which moves the seams every step.
public final class TiledNetwork: DreamNetwork {
    public let base: Network
    /// Images up to this many pixels are computed whole; larger ones in tiles (margins included)
    /// of at most this many pixels.
    public let maxTilePixels: Int
    public let margin: Int
    public let alignment: Int

    /// By default 1280x720 is computed whole. Measured peaks of 3-octave renders (f32): 1280x720 whole
    /// 1.9 GB (mixed_3) / 2.7 GB (mixed_9); 1920x1080 in 2x2 tiles 2.0 / 2.9 GB, against 4.1 / 5.9 GB
    /// whole (now three 736x1080 strips, each 13% larger than a 2x2 tile).
    /// Tiles start at multiples of the network's total stride (see `spans`).
    public init(_ base: Network, maxTilePixels: Int = 1280 * 720, margin: Int = 32) {
        precondition(maxTilePixels > 0 && margin >= 0)
        self.base = base
        self.maxTilePixels = maxTilePixels
        self.margin = margin
        self.alignment = base.model.graph.totalStride
    }

    public var name: String { base.name }
    public var layers: [String] { base.layers }

    /// Where the tiles go along one axis: each tile's start and extent, and its core (the part of
    /// the axis whose gradient it provides). The cores cover the axis without overlap.
    public struct Span: Equatable, Sendable {
        public var start: Int, length: Int
        public var coreStart: Int, coreEnd: Int
    }

    /// Tiles start at multiples of `alignment` (the network's total stride), so that every tile
    /// samples the image on the same grid as the whole image would: a strided network shifted by a
    /// fraction of its stride sees a different picture, and its tiles would not agree at the seams.
    public static func spans(length: Int, count n: Int, margin: Int, alignment a: Int = 1) -> [Span] {
        if n == 1 { return [Span(start: 0, length: length, coreStart: 0, coreEnd: length)] }
        let core = (length + n - 1) / n
        // The least tile length that leaves `margin` of context after rounding the start down to a
        // multiple of a, and (so that the last tile, ending at the image's edge, starts on the grid
        // too) that is congruent to length modulo a.
        var tile = core + 2 * margin + a - 1
        tile += ((length - tile) % a + a) % a
        tile = min(length, tile)
        return (0..<n).map { i in
            let coreStart = i * core, coreEnd = min(length, (i + 1) * core)
            let start = min(max(0, coreStart - margin) / a * a, length - tile)
            return Span(start: start, length: tile, coreStart: coreStart, coreEnd: coreEnd)
        }
    }

    /// The tiling whose tiles fit in maxTilePixels with the fewest pixels in all (margins are paid
    /// again by every tile): at 1920x1080 three 736x1080 strips (2.38 Mpx) rather than 2x2 tiles of
    /// 1056x664 (2.80 Mpx). With no such tiling up to 16 a side, the smallest tiles that keep their margins.
    public func grid(width: Int, height: Int) -> (x: [Span], y: [Span]) {
        var best: (x: [Span], y: [Span], pixels: Int)?
        for nx in 1...16 {
            for ny in 1...16 {
                let x = Self.spans(length: width, count: nx, margin: margin, alignment: alignment)
                let y = Self.spans(length: height, count: ny, margin: margin, alignment: alignment)
                let tile = x[0].length * y[0].length
                guard tile <= maxTilePixels else { continue }
                let pixels = tile * nx * ny
                if best == nil || pixels < best!.pixels || (pixels == best!.pixels && nx * ny < best!.x.count * best!.y.count) {
                    best = (x, y, pixels)
                }
            }
        }
        if let best { return (best.x, best.y) }
        var n = 1
        while true {
            let x = Self.spans(length: width, count: n, margin: margin, alignment: alignment)
            let y = Self.spans(length: height, count: n, margin: margin, alignment: alignment)
            if x[0].length * y[0].length <= maxTilePixels || x[0].length <= 2 * margin + alignment || y[0].length <= 2 * margin + alignment {
                return (x, y)
            }
            n += 1
        }
    }

    public func gradient(of objective: Objective, at image: Tensor) throws -> (value: Float, gradient: Tensor) {
        guard image.shape.count == 3, image.shape[1] * image.shape[2] > maxTilePixels else {
            return try base.gradient(of: objective, at: image)
        }
        let (h, w) = (image.shape[1], image.shape[2])
        let (xs, ys) = grid(width: w, height: h)
        let graph = base.model.graph
        let terms = try objective.terms.map { try base.node($0.layer) }
        let deepest = terms.max() ?? 0
        let shapes = try graph.shapes(height: h, width: w, through: deepest)
        var gradient = Tensor(zeros: image.shape)
        var value: Float = 0
        for y in ys {
            for x in xs {
                var tile = Tensor(zeros: [3, y.length, x.length])
                for c in 0..<3 {
                    for r in 0..<y.length {
                        let src = (c * h + y.start + r) * w + x.start, dst = (c * y.length + r) * x.length
                        tile.data.withUnsafeMutableBufferPointer { t in
                            image.data.withUnsafeBufferPointer { s in
                                t.baseAddress!.advanced(by: dst).update(from: s.baseAddress!.advanced(by: src), count: x.length)
                            }
                        }
                    }
                }
                // Each term is a mean over its layer: weigh it by the tile's share of the layer's
                // positions, so the tile's gradient has the scale of the whole image's.
                let tileShapes = try graph.shapes(height: y.length, width: x.length, through: deepest)
                var local = objective
                for k in local.terms.indices {
                    let n = terms[k]
                    local.terms[k].weight *= Float(tileShapes[n][1] * tileShapes[n][2]) / Float(shapes[n][1] * shapes[n][2])
                }
                let (v, g) = try base.gradient(of: local, at: tile)
                value += v * Float((x.coreEnd - x.coreStart) * (y.coreEnd - y.coreStart)) / Float(x.length * y.length)
                gradient.data.withUnsafeMutableBufferPointer { out in
                    for c in 0..<3 {
                        for row in y.coreStart..<y.coreEnd {
                            let src = (c * y.length + row - y.start) * x.length - x.start
                            let dst = (c * h + row) * w
                            for col in x.coreStart..<x.coreEnd { out[dst + col] = g.data[src + col] }
                        }
                    }
                }
            }
        }
        return (value, gradient)
    }
}
