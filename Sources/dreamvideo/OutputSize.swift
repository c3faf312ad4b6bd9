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

    /// With no --size, the output fits within this, keeping the input's aspect: a 4000x3000 phone
    /// photo at full size took 138 s for frame 1 and forecast 34 h for the default walk, with
    /// patterns tiny against the frame.
    static let defaultBox = (width: 1920, height: 1080)

    /// The input's size, scaled down (never up) to fit within `box`, sides made even.
    static func fitted(_ width: Int, _ height: Int, within box: (width: Int, height: Int) = defaultBox) throws -> OutputSize {
        let f = min(1, Double(box.width) / Double(width), Double(box.height) / Double(height))
        if f >= 1 { return try OutputSize(evenFrom: width, height) }
        let w = min(box.width, Int((Double(width) * f).rounded())), h = min(box.height, Int((Double(height) * f).rounded()))
        return try OutputSize(evenFrom: w, h)
    }

    /// The input's size made even (H.264 in yuv420p wants even sides).
    init(evenFrom width: Int, _ height: Int) throws {
        let w = width - width % 2, h = height - height % 2
        guard Self.sides.contains(w), Self.sides.contains(h) else { throw CommandError.sizeOutOfRange(width: w, height: h) }
        self.width = w; self.height = h
    }
}
