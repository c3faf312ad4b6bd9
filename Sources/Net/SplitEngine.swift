import Foundation

/// Both cores at one core's efficiency: the image is cut along its longer axis into one strip per
/// core, each strip (its share of the image plus `margin` pixels of context on each inner side) runs
/// on its own single-thread oneDNN engine, all at once, and the strips' gradients are added where
/// they overlap. oneDNN's own threading scales poorly at these sizes (Zen 4, mixed_5 at 640x360: 1
/// thread ~290 ms, 2 threads ~300 ms direct / ~228 ms Winograd) while two single-thread engines side
/// by side each keep ~90% of their speed.
///
/// Each strip counts in its objective only the activations it owns (those whose receptive-field
/// centre lies in its share), divided by the whole image's count, so the strips' values add up to
/// the whole image's value and their gradients to the whole's gradient, up to the context an owned
/// activation near a cut misses beyond the margin. Strips start on the grid of the deepest layer's
/// stride, so they see the image as the whole does. Deterministic for a given thread count: each
/// strip is computed by one thread, in a fixed place.
public final class SplitEngine: Engine {
    public let graph: Graph
    /// One single-thread engine per strip (per core).
    public let parts: [OneDNNEngine]
    /// Part k runs on threads[k].
    private let threads: [PinnedThread]
    /// A fixed margin, or nil for `margin(for:)`'s.
    public let fixedMargin: Int?
    public let precision: Precision
    /// Times each convolution's algorithms (for one thread and for all) and strips against threads
    /// when `.fastest`.
    public let tuner: ConvolutionTuner?
    /// Strips wherever the image is wide enough, without timing them against threads (`bench --parallel strips`).
    public let alwaysStrips: Bool
    /// How the last gradient was computed: "strips" or "threads" (the whole image on one engine with every thread).
    public private(set) var lastParallel = ""
    /// `stripsPay`'s answer per size and objective, asked of the tuner (and its cache) once, not at every step.
    private var stripsChoice: [StripsKey: Bool] = [:]
    private struct StripsKey: Hashable { var height: Int, width: Int, targets: [Int] }

    public init(graph: Graph, threads: Int, algorithm: OneDNNEngine.ConvolutionAlgorithm = .fastest,
                precision: Precision = .f32, margin: Int? = nil, alwaysStrips: Bool = false) throws {
        guard threads > 0 else { throw OneDNNError.badThreadCount(threads) }
        precondition((margin ?? 0) >= 0)
        self.graph = graph
        self.fixedMargin = margin
        self.precision = precision
        self.alwaysStrips = alwaysStrips
        let tuner = algorithm == .fastest ? ConvolutionTuner.forThisMachine() : nil
        self.tuner = tuner
        parts = try (0..<threads).map { _ in
            try OneDNNEngine(graph: graph, threads: 1, algorithm: algorithm, precision: precision, tuner: tuner)
        }
        self.threads = parts.map { _ in PinnedThread() }
    }

    /// Context each strip carries past its share: the targets' receptive-field radius up to 64 pixels,
    /// and 60% of it beyond (mixed_3: 82 pixels). Measured (inception_v3, dog.jpg
    /// 1280x360, cosine of the gradient against one engine's): mixed_3 0.99999 at 64, 1.0 at 96;
    /// mixed_5 0.9975 at 64, 0.99947 at 96, 0.99991 at 128, 0.99998 at 160.
    public func margin(for targets: [Int], along axis: Axis) -> Int {
        if let fixedMargin { return fixedMargin }
        let geometry = graph.geometry(along: axis)
        let radius = targets.map { geometry[$0].radius }.max() ?? 0
        return min(radius, max(64, (radius * 3 + 4) / 5))
    }

    /// Every primitive's oneDNN implementation, over all the parts.
    public var implementations: [(op: String, impl: String)] { parts.flatMap(\.implementations) }

    /// Activations alone are asked for rarely (guides, classification): one engine computes them,
    /// on every thread.
    public func forward(_ input: Tensor, outputs: [Int]) throws -> [Tensor] {
        try parts[0].forward(input, outputs: outputs, threads: parts.count)
    }

    /// One strip: input `start ..< end` along the axis; it owns the activations whose centre lies in
    /// `coreStart ..< coreEnd`.
    public struct Strip: Equatable, Sendable {
        public var start: Int, end: Int
        public var coreStart: Int, coreEnd: Int
    }

    /// How an image of `height` x `width` is cut for an objective reading `targets`: the axis and
    /// the strips (one strip when the image is too small to share).
    public func plan(height: Int, width: Int, targets: [Int]) throws -> (axis: Axis, strips: [Strip]) {
        let axis: Axis = width >= height ? .columns : .rows
        let length = axis == .columns ? width : height
        let geometry = graph.geometry(along: axis)
        // Strips start on the grid of every target (strides are powers of two: the largest will do).
        let alignment = targets.map { geometry[$0].stride }.max() ?? 1
        let margin = margin(for: targets, along: axis)
        // Each share should be well above the context it needs, or the margins cost more than a core gives.
        let n = min(parts.count, max(1, length / (2 * margin + alignment)))
        guard n > 1 else { return (axis, [Strip(start: 0, end: length, coreStart: 0, coreEnd: length)]) }
        var strips: [Strip] = []
        for k in 0..<n {
            let coreStart = k * length / n, coreEnd = (k + 1) * length / n
            var s = Strip(start: k == 0 ? 0 : max(0, coreStart - margin) / alignment * alignment,
                          end: k == n - 1 ? length : min(length, coreEnd + margin), coreStart: coreStart, coreEnd: coreEnd)
            // Widen until every activation the strip owns exists in it (valid convolutions shrink the edges).
            while true {
                let w = try owned(strip: s, strips: n, index: k, length: length, other: axis == .columns ? height : width,
                                  axis: axis, targets: targets, geometry: geometry)
                if w.allSatisfy({ $0.fits }) { break }
                if w.contains(where: { $0.local.lowerBound < 0 }) && s.start > 0 { s.start -= alignment; continue }
                if s.end < length { s.end = min(length, s.end + alignment); continue }
                break
            }
            strips.append(s)
        }
        return (axis, strips)
    }

    /// For each target: the activation indices along the axis that strip `index` owns, in the strip's
    /// own coordinates, and whether they lie inside the strip's activation.
    private func owned(strip s: Strip, strips n: Int, index k: Int, length: Int, other: Int, axis: Axis,
                       targets: [Int], geometry: [(stride: Int, offset: Double, radius: Int)]) throws -> [(node: Int, local: Range<Int>, whole: Int, fits: Bool)] {
        let deepest = targets.max() ?? 0
        let wholeShapes = try axis == .columns ? graph.shapes(height: other, width: length, through: deepest)
                                               : graph.shapes(height: length, width: other, through: deepest)
        let stripShapes = try axis == .columns ? graph.shapes(height: other, width: s.end - s.start, through: deepest)
                                               : graph.shapes(height: s.end - s.start, width: other, through: deepest)
        let dim = axis == .columns ? 2 : 1
        return targets.map { t in
            let (stride, offset, _) = geometry[t]
            let whole = wholeShapes[t][dim]
            let from = k == 0 ? 0 : firstIndex(at: s.coreStart, offset: offset, stride: stride, count: whole)
            let to = k == n - 1 ? whole : firstIndex(at: s.coreEnd, offset: offset, stride: stride, count: whole)
            let shift = s.start / stride
            let local = (from - shift)..<(max(from, to) - shift)
            return (t, local, whole, local.lowerBound >= 0 && local.upperBound <= stripShapes[t][dim])
        }
    }

    /// The first activation index whose centre is at or past input coordinate x.
    private func firstIndex(at x: Int, offset: Double, stride: Int, count: Int) -> Int {
        min(count, max(0, Int(((Double(x) - offset) / Double(stride)).rounded(.up))))
    }

    public func valueAndGradient(_ input: Tensor, terms: [(node: Int, weight: Float, channels: [Int]?)]) throws -> (value: Float, gradient: Tensor) {
        guard input.shape.count == 3, input.shape[0] == 3, input.shape[1] > 0, input.shape[2] > 0 else {
            throw EngineError.badInputShape(input.shape)
        }
        let (h, w) = (input.shape[1], input.shape[2])
        let targets = Array(Set(terms.map(\.node))).sorted()
        guard !targets.isEmpty else { throw EngineError.emptyObjective }
        for t in targets where t < 0 || t >= graph.nodes.count { throw EngineError.nodeOutOfRange(t, count: graph.nodes.count) }
        let (axis, strips) = try plan(height: h, width: w, targets: targets)
        // Too small to share, or measured slower than oneDNN's own threads for this size: the whole
        // image on one engine with every thread. (Both in one process: each primitive is given its
        // scratchpad, see OpDescriptors.withAttr.)
        let useStrips = try strips.count > 1 && (alwaysStrips || stripsPay(input, terms: terms, targets: targets, axis: axis, strips: strips))
        lastParallel = useStrips ? "strips" : "threads"
        return useStrips ? try split(input, terms: terms, targets: targets, axis: axis, strips: strips) : try whole(input, terms: terms)
    }

    private func whole(_ input: Tensor, terms: [(node: Int, weight: Float, channels: [Int]?)]) throws -> (value: Float, gradient: Tensor) {
        try parts[0].valueAndGradient(input, terms: terms, threads: parts.count, region: nil)
    }

    /// Whether strips beat one engine on every thread for this size and objective, timed once (a
    /// warm-up and the best of three steps each) and cached with the convolution algorithms. Which
    /// wins depends on the CPU, the size (the margins' share) and the layer; without a tuner
    /// (a fixed --algorithm) strips are used wherever the image is wide enough.
    private func stripsPay(_ input: Tensor, terms: [(node: Int, weight: Float, channels: [Int]?)], targets: [Int],
                           axis: Axis, strips: [Strip]) throws -> Bool {
        guard let tuner else { return true }
        let memo = StripsKey(height: input.shape[1], width: input.shape[2], targets: targets)
        if let known = stripsChoice[memo] { return known }
        let names = targets.map { graph.nodes[$0].name }.joined(separator: "+")
        let key = "parallel \(precision.rawValue) \(parts.count) threads: \(names) of \(graph.nodes.count) nodes at "
            + "\(input.shape[2])x\(input.shape[1]), strips " + strips.map { "\($0.start)..<\($0.end)" }.joined(separator: " ")
        let choice = try tuner.choose(layer: names, key: key, candidates: [
            ("strips", { _ = try self.split(input, terms: terms, targets: targets, axis: axis, strips: strips) }),
            ("threads", { _ = try self.whole(input, terms: terms) }),
        ])
        // The loser's activations and primitives go back (a 1920x1080 tile keeps ~1 GB of them).
        if choice == "strips" {
            parts[0].forget(height: input.shape[1], width: input.shape[2], threads: parts.count)
        } else {
            for (k, s) in strips.enumerated() {
                let (h, w) = axis == .columns ? (input.shape[1], s.end - s.start) : (s.end - s.start, input.shape[2])
                parts[k].forget(height: h, width: w, threads: 1)
            }
        }
        stripsChoice[memo] = choice == "strips"
        return choice == "strips"
    }

    private func split(_ input: Tensor, terms: [(node: Int, weight: Float, channels: [Int]?)], targets: [Int],
                       axis: Axis, strips: [Strip]) throws -> (value: Float, gradient: Tensor) {
        let (h, w) = (input.shape[1], input.shape[2])
        let length = axis == .columns ? w : h
        let geometry = graph.geometry(along: axis)

        var results = [Result<(value: Float, gradient: Tensor), Error>?](repeating: nil, count: strips.count)
        results.withUnsafeMutableBufferPointer { out in
            let out = UnsafeSendable(out)
            // Each part on its own thread, always the same one (see PinnedThread).
            for k in strips.indices { threads[k].start {
                out.value[k] = Result {
                    let s = strips[k]
                    let owned = try self.owned(strip: s, strips: strips.count, index: k, length: length,
                                               other: axis == .columns ? h : w, axis: axis, targets: targets, geometry: geometry)
                    let tile = input.slice(axis: axis, s.start..<s.end)
                    return try self.parts[k].valueAndGradient(tile, terms: terms, threads: 1) { node, height, width in
                        let o = owned.first { $0.node == node }!
                        return axis == .columns
                            ? .init(rows: 0..<height, cols: o.local, positions: height * o.whole)
                            : .init(rows: o.local, cols: 0..<width, positions: o.whole * width)
                    }
                }
            } }
            for k in strips.indices { threads[k].wait() }
        }
        var value: Float = 0
        var gradient = Tensor(zeros: input.shape)
        for (k, r) in results.enumerated() {
            let part = try r!.get()
            value += part.value
            gradient.add(part.gradient, axis: axis, at: strips[k].start)
        }
        return (value, gradient)
    }
}

/// Lets the parts write their own slot of one buffer from their threads.
private struct UnsafeSendable<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

extension Tensor {
    /// Rows or columns `range` of a [C, H, W] tensor.
    func slice(axis: Axis, _ range: Range<Int>) -> Tensor {
        let (c, h, w) = (shape[0], shape[1], shape[2])
        let (sh, sw) = axis == .columns ? (h, range.count) : (range.count, w)
        var out = Tensor(zeros: [c, sh, sw])
        out.data.withUnsafeMutableBufferPointer { o in
            data.withUnsafeBufferPointer { d in
                for ch in 0..<c {
                    for r in 0..<sh {
                        let (row, col) = axis == .columns ? (r, range.lowerBound) : (range.lowerBound + r, 0)
                        (o.baseAddress! + (ch * sh + r) * sw).update(from: d.baseAddress! + (ch * h + row) * w + col, count: sw)
                    }
                }
            }
        }
        return out
    }

    /// Adds `part` (a slice along `axis` starting at `start`) into this [C, H, W] tensor.
    mutating func add(_ part: Tensor, axis: Axis, at start: Int) {
        let (c, h, w) = (shape[0], shape[1], shape[2])
        let (ph, pw) = (part.shape[1], part.shape[2])
        data.withUnsafeMutableBufferPointer { o in
            part.data.withUnsafeBufferPointer { p in
                for ch in 0..<c {
                    for r in 0..<ph {
                        let (row, col) = axis == .columns ? (r, start) : (start + r, 0)
                        let dst = (ch * h + row) * w + col, src = (ch * ph + r) * pw
                        for i in 0..<pw { o[dst + i] += p[src + i] }
                    }
                }
            }
        }
    }
}
