/// Whole-picture arithmetic the dream and the Laplacian pyramid share.
extension FloatImage {
    public func meanAbsolute() -> Float {
        pixels.withUnsafeBufferPointer { p in
            var s: Float = 0
            for v in p { s += abs(v) }
            return s / Float(max(1, p.count))
        }
    }

    public mutating func clamp() {
        pixels.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = min(255, max(0, p[i])) } }
    }

    public mutating func scale(by k: Float) {
        pixels.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] *= k } }
    }

    public mutating func add(_ other: FloatImage) {
        precondition(other.width == width && other.height == height)
        pixels.withUnsafeMutableBufferPointer { p in
            other.pixels.withUnsafeBufferPointer { o in
                for i in p.indices { p[i] += o[i] }
            }
        }
    }

    public func subtracting(_ other: FloatImage) -> FloatImage {
        precondition(other.width == width && other.height == height)
        var out = self
        out.pixels.withUnsafeMutableBufferPointer { p in
            other.pixels.withUnsafeBufferPointer { o in
                for i in p.indices { p[i] -= o[i] }
            }
        }
        return out
    }
}
