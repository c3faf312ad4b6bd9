/// A curve over lightness held at nodes L* = 0, 2, ..., 100 and read linearly between them: the
/// chroma the reference has at each lightness (`ChromaLimit`) and the chroma sRGB holds at each
/// lightness for one hue (`GamutChroma`). Both ask the same two things of it: its value at a
/// lightness, and the nearest lightness where it reaches a chroma.
enum LightnessNodes {
    static let count = 51

    /// The curve `v` (`count` values, indexed from 0) at lightness `l`, linear between nodes.
    @inline(__always) static func value<Curve: RandomAccessCollection<Float>>(_ v: Curve, at l: Float) -> Float where Curve.Index == Int {
        let x = Swift.max(0, Swift.min(100, l)) / 2
        let i = Swift.min(count - 2, Int(x)), t = x - Float(i)
        return v[i] + t * (v[i + 1] - v[i])
    }

    /// The lightness nearest `l` at which the curve `v` is at least `chroma`; the lightness of its
    /// largest node if it is nowhere.
    static func lightness<Curve: RandomAccessCollection<Float>>(_ v: Curve, holding chroma: Float, nearest l: Float) -> Float where Curve.Index == Int {
        if value(v, at: l) >= chroma { return l }
        let i = Swift.min(count - 2, Int(Swift.max(0, Swift.min(100, l)) / 2))
        /// Where the curve crosses `chroma` between nodes `lo` and `lo + 1` (one reaches it, one not).
        func crossing(_ lo: Int) -> Float {
            2 * (Float(lo) + Swift.max(0, Swift.min(1, (chroma - v[lo]) / (v[lo + 1] - v[lo]))))
        }
        // The first node reaching it below (node i and down) and above (node i + 1 and up).
        let below = stride(from: i, through: 0, by: -1).first { v[$0] >= chroma }.map(crossing)
        let above = (i + 1..<count).first { v[$0] >= chroma }.map { crossing($0 - 1) }
        switch (below, above) {
        case let (b?, a?): return a - l < l - b ? a : b
        case let (b?, nil): return b
        case let (nil, a?): return a
        case (nil, nil): return Float(2 * (0..<count).max { v[$0] < v[$1] }!)
        }
    }
}
