import Foundation

/// Figures that say whether a long zoom stayed beautiful: colour (mean L* and chroma), clipping,
/// sharpness and flicker, measured frame by frame and summed up over the first and last frames.
/// Frames are fed one at a time (a 900-frame video does not fit in memory).
public struct VideoMetrics: Sendable {
    /// One frame's figures.
    public struct Frame: Sendable, Equatable {
        /// Mean L* (0...100).
        public var lightness: Double
        /// Mean chroma, sqrt(a*^2 + b*^2).
        public var chroma: Double
        /// Fraction of pixels with a channel at 0 or 255 (after rounding to 8 bits).
        public var clipped: Double
        /// Mean gradient magnitude of the 8-bit grey picture (forward differences).
        public var sharpness: Double
        /// Mean absolute change (0...255, over RGB, central 80%) from the previous frame moved by the
        /// camera; nil for the first frame.
        public var flicker: Double?
        /// The zoom that best maps the previous frame onto this one (estimated unless given).
        public var zoom: Double?
    }

    public struct Summary: Sendable, Equatable {
        public var frames: Int
        public var window: Int
        public var lightnessFirst: Double, lightnessLast: Double
        public var chromaFirst: Double, chromaLast: Double
        public var clippedFirst: Double, clippedLast: Double, clippedAll: Double
        public var sharpnessFirst: Double, sharpnessLast: Double
        public var flicker: Double
        public var zoom: Double

        public var lightnessDrift: Double { lightnessLast - lightnessFirst }
        public var chromaRatio: Double { chromaLast / max(1e-9, chromaFirst) }
        public var sharpnessRatio: Double { sharpnessLast / max(1e-9, sharpnessFirst) }
    }

    /// The camera between frames when known: zoom (nil: estimated per pair) and rotation in degrees.
    public var zoom: Double?
    public var rotation: Double
    public private(set) var frames: [Frame] = []
    private var previous: FloatImage?

    public init(zoom: Double? = nil, rotation: Double = 0) {
        self.zoom = zoom; self.rotation = rotation
    }

    /// The next frame. A frame whose size differs from the one before is refused (FrameSizeMismatch,
    /// naming it) and not counted: flicker compares frames pixel by pixel after undoing the camera, and
    /// a frame of another size is another framing (a resized render, a stray file), so rescaling it
    /// would report a figure for a pair that is not two frames of one render.
    public mutating func add(_ image: FloatImage) throws {
        if let prev = previous { try FrameSizeMismatch.check(prev, image, frame: frames.count + 1) }
        var f = Self.figures(of: image)
        if let prev = previous {
            let z = try zoom ?? Self.estimateZoom(from: prev, to: image, rotation: rotation)
            f.zoom = z
            f.flicker = try Self.change(from: prev, to: image, zoom: z, rotation: rotation)
        }
        previous = image
        frames.append(f)
    }

    /// Averages over the first and last `window` frames (30 by default).
    public func summary(window: Int = 30) -> Summary? {
        guard !frames.isEmpty else { return nil }
        let k = min(window, frames.count)
        let first = frames.prefix(k), last = frames.suffix(k)
        func mean(_ s: ArraySlice<Frame>, _ v: (Frame) -> Double) -> Double { s.map(v).reduce(0, +) / Double(s.count) }
        let flick = frames.compactMap(\.flicker), zooms = frames.compactMap(\.zoom)
        return Summary(frames: frames.count, window: k,
                       lightnessFirst: mean(first, \.lightness), lightnessLast: mean(last, \.lightness),
                       chromaFirst: mean(first, \.chroma), chromaLast: mean(last, \.chroma),
                       clippedFirst: mean(first, \.clipped), clippedLast: mean(last, \.clipped),
                       clippedAll: mean(frames[...], \.clipped),
                       sharpnessFirst: mean(first, \.sharpness), sharpnessLast: mean(last, \.sharpness),
                       flicker: flick.isEmpty ? 0 : flick.reduce(0, +) / Double(flick.count),
                       zoom: zooms.isEmpty ? 1 : zooms.reduce(0, +) / Double(zooms.count))
    }

    public static func figures(of image: FloatImage) -> Frame {
        let n = image.width * image.height
        let lab = image.labPlanes()
        var l: Double = 0, c: Double = 0
        for i in 0..<n {
            l += Double(lab[i])
            let a = lab[n + i], b = lab[2 * n + i]
            c += Double((a * a + b * b).squareRoot())
        }
        var clipped = 0
        let grey = image.grey8()
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<n {
                var hit = false
                for ch in 0..<3 {
                    let v = p[ch * n + i].rounded()
                    if v <= 0 || v >= 255 { hit = true }
                }
                if hit { clipped += 1 }
            }
        }
        var g: Double = 0
        let w = image.width, h = image.height
        for y in 0..<(h - 1) {
            for x in 0..<(w - 1) {
                let v = grey[y * w + x]
                let dx = grey[y * w + x + 1] - v, dy = grey[(y + 1) * w + x] - v
                g += Double((dx * dx + dy * dy).squareRoot())
            }
        }
        return Frame(lightness: l / Double(n), chroma: c / Double(n), clipped: Double(clipped) / Double(n),
                     sharpness: g / Double(max(1, (w - 1) * (h - 1))), flicker: nil, zoom: nil)
    }

    /// Mean |this - previous moved by the camera| over RGB in the central 80% (the border is where
    /// a zoom brings in mirrored picture that was never in the previous frame).
    public static func change(from previous: FloatImage, to image: FloatImage, zoom: Double, rotation: Double) throws -> Double {
        try FrameSizeMismatch.check(previous, image)
        let cam = Camera(zoom: zoom, rotation: rotation)
        let moved = cam.next(previous)
        let w = image.width, h = image.height, n = w * h
        let x0 = w / 10, x1 = w - w / 10, y0 = h / 10, y1 = h - h / 10
        var s: Double = 0
        moved.pixels.withUnsafeBufferPointer { m in
            image.pixels.withUnsafeBufferPointer { p in
                for ch in 0..<3 {
                    for y in y0..<y1 {
                        for x in x0..<x1 {
                            let i = ch * n + y * w + x
                            s += Double(abs(min(255, max(0, m[i])).rounded() - p[i].rounded()))
                        }
                    }
                }
            }
        }
        return s / Double(3 * (x1 - x0) * (y1 - y0))
    }

    /// The zoom about the centre (0.8...1.25) that best maps `previous` onto `image`, searched on
    /// quarter-size copies, coarse then fine.
    public static func estimateZoom(from previous: FloatImage, to image: FloatImage, rotation: Double) throws -> Double {
        try FrameSizeMismatch.check(previous, image)
        let w = max(32, image.width / 4), h = max(32, image.height / 4)
        let a = previous.resized(width: w, height: h), b = image.resized(width: w, height: h)
        func cost(_ z: Double) throws -> Double { try change(from: a, to: b, zoom: z, rotation: rotation) }
        var best = 1.0, bestCost = try cost(1.0)
        var step = 0.01
        var lo = 0.8, hi = 1.25
        for _ in 0..<3 {
            var z = lo
            while z <= hi + 1e-9 {
                let c = try cost(z)
                if c < bestCost { bestCost = c; best = z }
                z += step
            }
            lo = best - step; hi = best + step; step /= 10
        }
        return best
    }
}

extension FloatImage {
    /// Rounded 8-bit grey (Rec. 709 luma weights), as Float.
    func grey8() -> [Float] {
        let n = width * height
        var out = [Float](repeating: 0, count: n)
        pixels.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let r = min(255, max(0, p[i].rounded())), g = min(255, max(0, p[n + i].rounded()))
                let b = min(255, max(0, p[2 * n + i].rounded()))
                out[i] = 0.2126 * r + 0.7152 * g + 0.0722 * b
            }
        }
        return out
    }
}
