import Foundation

/// The --size option, and the size a render takes without it.
public struct OutputSize: Equatable {
    /// Inception-v3 needs 75 px to reach its deepest layer; above 8192 a frame no longer fits in memory comfortably.
    public static let sides = 75...8192

    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) { self.width = width; self.height = height }

    public init(parsing text: String) throws {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]) else { throw RequestError.badSize(text) }
        guard Self.sides.contains(w), Self.sides.contains(h) else { throw RequestError.sizeOutOfRange(width: w, height: h) }
        width = w; height = h
    }

    /// With no --size, the output fits within this, keeping the input's aspect: a 4000x3000 phone
    /// photo at full size took 138 s for frame 1 and forecast 34 h for the default walk, with
    /// patterns tiny against the frame.
    public static let defaultBox = (width: 1920, height: 1080)

    /// The input's size made even (H.264 in yuv420p wants even sides).
    public init(evenFrom width: Int, _ height: Int) throws {
        let w = width - width % 2, h = height - height % 2
        guard Self.sides.contains(w), Self.sides.contains(h) else { throw RequestError.sizeOutOfRange(width: w, height: h) }
        self.width = w; self.height = h
    }

    /// How a picture's size was brought to a render's when no --size is given.
    public struct Fit {
        public var size: OutputSize
        /// A line of its own when the picture had to be scaled up (or cropped): "note: NAME is 1x1; ...".
        public var note: String?
        /// For the render's first line when the picture was scaled down to fit the box:
        /// "the input's 4000x3000 fitted within 1920x1080; --size WxH for another".
        public var clause: String?
    }

    /// The size of a render of a `width` x `height` picture when no --size is given: the picture's own,
    /// made even (H.264 in yuv420p wants even sides), scaled down (never up) to fit within `box`, and
    /// scaled up if a side is below `sides` (the networks need 75 pixels), keeping its shape; one too
    /// thin for both is also cropped along its long side (the start image covers the frame, centred).
    public static func fitting(_ width: Int, _ height: Int, name: String, box: (width: Int, height: Int) = defaultBox,
                        even: Bool = true) -> Fit {
        func evened(_ n: Int) -> Int { even ? n - n % 2 : n }
        let lo = even ? sides.lowerBound + sides.lowerBound % 2 : sides.lowerBound
        let hiW = evened(min(box.width, sides.upperBound)), hiH = evened(min(box.height, sides.upperBound))
        let w = max(1, width), h = max(1, height)
        let fit = min(1, Double(hiW) / Double(w), Double(hiH) / Double(h))
        // Too thin to fit the box with 75 pixels on its short side: those 75 win, the long side is cropped.
        let raised = Double(min(w, h)) * fit < Double(lo)
        let scale = raised ? Double(lo) / Double(min(w, h)) : fit
        let size = OutputSize(width: evened(min(hiW, max(lo, Int((Double(w) * scale).rounded())))),
                              height: evened(min(hiH, max(lo, Int((Double(h) * scale).rounded())))))
        if raised {
            let why = scale > 1 ? "scaled up" : "fitted within \(hiW)x\(hiH) no further"
            let cropped = Double(w) * scale > Double(hiW) + 1 || Double(h) * scale > Double(hiH) + 1
                ? ", its long side cropped to fit \(hiW)x\(hiH)" : ""
            return Fit(size: size, note: "note: \(name) is \(width)x\(height); it is dreamed at \(size.width)x\(size.height) "
                       + "(\(why): the networks need at least \(sides.lowerBound) pixels a side\(cropped)); give --size WxH to choose another size")
        }
        if fit < 1 {
            return Fit(size: size, clause: "the input's \(width)x\(height) fitted within \(hiW)x\(hiH); --size WxH for another")
        }
        return Fit(size: size)
    }
}
