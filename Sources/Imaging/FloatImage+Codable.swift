import Foundation

/// A FloatImage in a checkpoint: its size and its pixels as raw little-endian Float32 bytes (base64
/// in JSON), so that a canvas comes back bit for bit and takes 4 bytes a value rather than ~10 as
/// decimal text.
extension FloatImage: Codable {
    private enum CodingKeys: String, CodingKey { case width, height, float32le }

    /// Put in a decoder's `userInfo` under `FloatImage.expectedSize` when the size is known before
    /// reading (a checkpoint of a render of this size): a stored image of another size is refused
    /// from its width and height, before its pixels are decoded or anything is allocated for them.
    public struct ExpectedSize: Sendable, Equatable {
        public var width: Int, height: Int
        public init(width: Int, height: Int) { self.width = width; self.height = height }
    }

    public static let expectedSize = CodingUserInfoKey(rawValue: "FloatImage.expectedSize")!

    /// Bytes of `width` x `height` RGB Float32 pixels; nil for a negative side or a product that does
    /// not fit in an Int (a crafted width of 2^62+1 made `3*w*h*4` wrap to a small number).
    public static func byteCount(width: Int, height: Int) -> Int? {
        guard let values = valueCount(width: width, height: height) else { return nil }
        let (bytes, overflow) = values.multipliedReportingOverflow(by: MemoryLayout<UInt32>.size)
        return overflow ? nil : bytes
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let w = try c.decode(Int.self, forKey: .width), h = try c.decode(Int.self, forKey: .height)
        if let expected = decoder.userInfo[Self.expectedSize] as? ExpectedSize,
           expected != ExpectedSize(width: w, height: h) {
            throw DecodingError.dataCorruptedError(forKey: .width, in: c,
                debugDescription: "holds a \(w)x\(h) image where this render's are \(expected.width)x\(expected.height)")
        }
        // A picture has at least one pixel: a side of 0 is no frame, whatever the other side says.
        guard w > 0, h > 0, let bytes = Self.byteCount(width: w, height: h) else {
            throw DecodingError.dataCorruptedError(forKey: .width, in: c,
                debugDescription: "holds an image of \(w)x\(h) pixels, which is not a size")
        }
        // The base64 text is already in memory (its file was read with a bound); its decoded bytes
        // are at most 3/4 of it, and the pixels are allocated only once they match the size.
        let data = try c.decode(Data.self, forKey: .float32le)
        guard data.count == bytes else {
            throw DecodingError.dataCorruptedError(forKey: .float32le, in: c,
                debugDescription: "holds \(data.count) bytes of pixels, which do not make a \(w)x\(h) RGB Float32 image (\(bytes) bytes)")
        }
        var px = [Float](repeating: 0, count: bytes / MemoryLayout<UInt32>.size)
        data.withUnsafeBytes { raw in
            for i in px.indices {
                px[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        }
        self.init(width: w, height: h, pixels: px)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        var data = Data(count: 4 * pixels.count)
        data.withUnsafeMutableBytes { raw in
            for (i, v) in pixels.enumerated() {
                raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
            }
        }
        try c.encode(data, forKey: .float32le)
    }
}
