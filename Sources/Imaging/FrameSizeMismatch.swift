/// Two pictures that must have one size do not: consecutive frames being compared, a picture and its
/// motion field. Thrown wherever two frames meet, before any pixel is read (comparing a 320x240 frame
/// with a 64x48 one would read past the smaller one's end).
public struct FrameSizeMismatch: Error, CustomStringConvertible, Equatable {
    /// 1-based number of the frame that changed size, when a sequence is being read.
    public var frame: Int?
    public var expected: Size
    public var found: Size

    public struct Size: Equatable, Sendable, CustomStringConvertible {
        public var width: Int, height: Int
        public init(width: Int, height: Int) { self.width = width; self.height = height }
        public var description: String { "\(width)x\(height)" }
    }

    public init(frame: Int? = nil, expected: Size, found: Size) {
        self.frame = frame; self.expected = expected; self.found = found
    }

    /// Throws unless `a` and `b` have one size.
    public static func check(_ a: FloatImage, _ b: FloatImage, frame: Int? = nil) throws {
        guard a.width == b.width, a.height == b.height else {
            throw FrameSizeMismatch(frame: frame, expected: Size(width: a.width, height: a.height),
                                    found: Size(width: b.width, height: b.height))
        }
    }

    public var description: String {
        if let frame { return "frame \(frame) is \(found) but the frame before it is \(expected)" }
        return "pictures of two sizes (\(expected) and \(found)) where one size is needed"
    }
}
