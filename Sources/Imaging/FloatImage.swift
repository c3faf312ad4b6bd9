/// An RGB picture in Float32, planar (all R, then all G, then all B), values nominally 0...255.
/// The frame loop keeps every frame in this form; it is rounded to 8 bits only by a sink.
public struct FloatImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [Float]   // [3, height, width]

    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(Self.valueCount(width: width, height: height) == pixels.count, "pixel count does not match \(width)x\(height)")
        self.width = width; self.height = height; self.pixels = pixels
    }

    /// Floats of `width` x `height` RGB pixels; nil for a negative side or a product past Int. The area
    /// first: `3 * width * height` trapped on its own product for a stored 3074457345618258603x0 image
    /// (checkpoint fuzzing), where the area is 0.
    public static func valueCount(width: Int, height: Int) -> Int? {
        guard width >= 0, height >= 0 else { return nil }
        let (area, o1) = width.multipliedReportingOverflow(by: height)
        let (values, o2) = area.multipliedReportingOverflow(by: 3)
        return o1 || o2 ? nil : values
    }

    public init(width: Int, height: Int, fill: Float = 0) {
        self.init(width: width, height: height, pixels: [Float](repeating: fill, count: 3 * width * height))
    }

    /// Interleaved 8-bit RGB, rounded and clamped: what encoders take.
    public func rgb8() -> [UInt8] {
        let plane = width * height
        var out = [UInt8](repeating: 0, count: 3 * plane)
        pixels.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<plane {
                    for c in 0..<3 {
                        let v = p[c * plane + i].rounded()
                        o[3 * i + c] = UInt8(max(0, min(255, v)))
                    }
                }
            }
        }
        return out
    }

    /// From interleaved 8-bit RGB.
    public init(rgb8 bytes: [UInt8], width: Int, height: Int) {
        precondition(bytes.count == 3 * width * height)
        let plane = width * height
        var px = [Float](repeating: 0, count: 3 * plane)
        for i in 0..<plane {
            for c in 0..<3 { px[c * plane + i] = Float(bytes[3 * i + c]) }
        }
        self.init(width: width, height: height, pixels: px)
    }
}
