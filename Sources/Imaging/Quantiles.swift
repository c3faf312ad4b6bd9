/// A distribution of numbers summed up by a fine histogram over a fixed range: its quantile function
/// (value at a given share) and cumulative function (share below a value) in O(n), where sorting a
/// 1920x1080 frame's values for each of 32 directions would cost O(n log n) each. Values are assumed
/// spread evenly between the smallest and largest value in their bin, so both functions are
/// piecewise linear and inverse to each other, and a flat colour (many equal values) keeps its
/// exact value rather than being smeared over its bin.
struct FineHistogram {
    static let bins = 2048
    let lower: Float, upper: Float
    private(set) var counts: [Float]
    /// The smallest and largest value that fell in each bin.
    private(set) var least: [Float], most: [Float]
    /// counts[0..<i] summed, for i in 0...bins.
    private(set) var cumulative: [Float]
    var total: Float { cumulative[Self.bins] }

    /// `values` outside lower...upper count in the end bins.
    init(_ values: UnsafeBufferPointer<Float>, lower: Float, upper: Float) {
        self.lower = lower; self.upper = upper
        var c = [Float](repeating: 0, count: Self.bins)
        var lo = [Float](repeating: .infinity, count: Self.bins), hi = [Float](repeating: -.infinity, count: Self.bins)
        let scale = Float(Self.bins) / (upper - lower)
        c.withUnsafeMutableBufferPointer { h in
            lo.withUnsafeMutableBufferPointer { l in
                hi.withUnsafeMutableBufferPointer { u in
                    for v in values {
                        let b = Self.bin(v, lower: lower, scale: scale)
                        h[b] += 1; l[b] = Swift.min(l[b], v); u[b] = Swift.max(u[b], v)
                    }
                }
            }
        }
        counts = c; least = lo; most = hi
        var cum = [Float](repeating: 0, count: Self.bins + 1)
        var s: Float = 0
        for i in 0..<Self.bins { cum[i] = s; s += c[i] }
        cum[Self.bins] = s
        cumulative = cum
    }

    @inline(__always) static func bin(_ v: Float, lower: Float, scale: Float) -> Int {
        let x = (v - lower) * scale
        return x <= 0 ? 0 : min(bins - 1, Int(x))
    }

    /// The share (0...1) of values below `v` (for values that were counted: half of those equal to it).
    @inline(__always) func share(below v: Float) -> Float {
        let i = Self.bin(v, lower: lower, scale: Float(Self.bins) / (upper - lower))
        let span = most[i] - least[i]
        let within: Float = span > 0 ? Swift.max(0, Swift.min(1, (v - least[i]) / span)) : 0.5
        return (cumulative[i] + within * counts[i]) / Swift.max(1, total)
    }

    /// `count` values at the shares (k + 0.5) / count: the distribution in a fixed, small form.
    func quantiles(count: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        let n = total
        var i = 0
        for k in 0..<count {
            let target = (Float(k) + 0.5) / Float(count) * n
            while i < Self.bins - 1 && (cumulative[i + 1] < target || counts[i] == 0) { i += 1 }
            let within = counts[i] > 0 ? Swift.max(0, Swift.min(1, (target - cumulative[i]) / counts[i])) : 0.5
            out[k] = counts[i] > 0 ? least[i] + within * (most[i] - least[i]) : lower + (Float(i) + 0.5) * (upper - lower) / Float(Self.bins)
        }
        return out
    }
}

extension Array where Element == Float {
    /// For quantiles as made by `FineHistogram.quantiles`: the value at share `u` (0...1), linear
    /// between neighbours.
    @inline(__always) func quantile(at u: Float) -> Float {
        let x = Swift.max(0, Swift.min(Float(count - 1), u * Float(count) - 0.5))
        let i = Swift.min(count - 2, Int(x))
        let t = x - Float(i)
        return self[i] + t * (self[i + 1] - self[i])
    }
}
