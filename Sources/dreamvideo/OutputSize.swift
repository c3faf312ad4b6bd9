/// The --size option.
struct OutputSize {
    /// Inception-v3 needs 75 px to reach its deepest layer; above 8192 a frame no longer fits in memory comfortably.
    static let sides = 75...8192

    var width: Int
    var height: Int

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
}
