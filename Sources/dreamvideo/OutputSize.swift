import Foundation

/// The --size option, and the size a render takes without it.
struct OutputSize: Equatable {
    /// Inception-v3 needs 75 px to reach its deepest layer; above 8192 a frame no longer fits in memory comfortably.
    static let sides = 75...8192

    var width: Int
    var height: Int

    init(width: Int, height: Int) { self.width = width; self.height = height }

    init(parsing text: String) throws {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]) else { throw CommandError.badSize(text) }
        guard Self.sides.contains(w), Self.sides.contains(h) else { throw CommandError.sizeOutOfRange(width: w, height: h) }
        width = w; height = h
    }

    /// The input's size made even (H.264 in yuv420p wants even sides).
    init(evenFrom width: Int, _ height: Int) throws {
        let w = width - width % 2, h = height - height % 2
        guard Self.sides.contains(w), Self.sides.contains(h) else { throw CommandError.sizeOutOfRange(width: w, height: h) }
        self.width = w; self.height = h
    }

    /// The size of a render of a `width` x `height` picture when no --size is given: the picture's own,
    /// made even (H.264 in yuv420p wants even sides), and brought into `sides` (up to `largest`) if
    /// it is not: a smaller picture is scaled up, a larger one down, keeping its shape; one too thin
    /// for both is also cropped along its long side (the start image covers the frame, centred).
    /// `note` says so in one line when the size is not the picture's own, naming the picture `name`.
    static func fitting(_ width: Int, _ height: Int, name: String, largest: Int = sides.upperBound,
                        even: Bool = true) -> (size: OutputSize, note: String?) {
        let lo = even ? sides.lowerBound + sides.lowerBound % 2 : sides.lowerBound
        let hi = even ? largest - largest % 2 : largest
        let w = max(1, width), h = max(1, height)
        var scale = 1.0
        if max(w, h) > hi { scale = Double(hi) / Double(max(w, h)) }
        if Double(min(w, h)) * scale < Double(lo) { scale = Double(lo) / Double(min(w, h)) }
        func side(_ n: Int) -> Int {
            let s = min(hi, max(lo, Int((Double(n) * scale).rounded())))
            return even ? s - s % 2 : s
        }
        let size = OutputSize(width: side(w), height: side(h))
        guard scale != 1 else { return (size, nil) }
        let why = scale > 1
            ? "scaled up: the networks need at least \(sides.lowerBound) pixels a side"
            : "scaled down: a frame may have at most \(hi) pixels a side"
        let cropped = Double(max(w, h)) * scale > Double(hi) + 1 ? ", its long side cropped to \(hi)" : ""
        return (size, "note: \(name) is \(width)x\(height); it is dreamed at \(size.width)x\(size.height) (\(why)\(cropped)); give --size WxH to choose another size")
    }
}
