/// How much of the first frame's palette later frames keep: the intersection of 16x16 a*b*
/// histograms (a* and b* each over -100...100, values beyond in the end bins) between frame 1 and
/// each later frame, 1 for the same colours in the same shares, 0 for none in common. Fed one frame
/// at a time, like `VideoMetrics`.
public struct PaletteOverlap: Sendable {
    public static let bins = 16
    public static let range: Float = 100

    public struct Summary: Sendable, Equatable {
        /// Mean intersection of frame 1 with each of the last `window` frames.
        public var last: Double
        /// The lowest mean over `window` consecutive frames after frame 1, and its first frame.
        public var worst: Double
        public var worstStart: Int
        public var window: Int
    }

    private var first: [Float]?
    /// Intersection with frame 1 of frames 2, 3, ...
    public private(set) var overlaps: [Double] = []

    public init() {}

    public mutating func add(_ image: FloatImage) {
        let h = Self.histogram(of: image)
        if let f = first { overlaps.append(Self.intersection(f, h)) } else { first = h }
    }

    /// Nil before a second frame.
    public func summary(window: Int = 30) -> Summary? {
        guard !overlaps.isEmpty else { return nil }
        let k = min(max(1, window), overlaps.count)
        func mean(_ s: ArraySlice<Double>) -> Double { s.reduce(0, +) / Double(s.count) }
        var worst = Double.infinity, worstStart = 2
        var sum = overlaps[0..<k].reduce(0, +)
        for start in 0...(overlaps.count - k) {
            if start > 0 { sum += overlaps[start + k - 1] - overlaps[start - 1] }
            if sum / Double(k) < worst { worst = sum / Double(k); worstStart = start + 2 }
        }
        return Summary(last: mean(overlaps.suffix(k)), worst: worst, worstStart: worstStart, window: k)
    }

    /// Shares (summing to 1) of the picture's pixels in each a*b* bin, row-major by b*.
    public static func histogram(of image: FloatImage) -> [Float] {
        let n = image.width * image.height
        let lab = image.labPlanes()
        var h = [Float](repeating: 0, count: bins * bins)
        let scale = Float(bins) / (2 * range)
        func bin(_ v: Float) -> Int { max(0, min(bins - 1, Int(((v + range) * scale).rounded(.down)))) }
        for i in 0..<n { h[bin(lab[2 * n + i]) * bins + bin(lab[n + i])] += 1 }
        let w = 1 / Float(max(1, n))
        return h.map { $0 * w }
    }

    public static func intersection(_ a: [Float], _ b: [Float]) -> Double {
        Double(zip(a, b).reduce(Float(0)) { $0 + min($1.0, $1.1) })
    }
}
