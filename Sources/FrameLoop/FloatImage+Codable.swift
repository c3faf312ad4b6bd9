import Foundation

/// A FloatImage in a checkpoint: its size and its pixels as raw little-endian Float32 bytes (base64
/// in JSON), so that a canvas comes back bit for bit and takes 4 bytes a value rather than ~10 as
/// decimal text.
extension FloatImage: Codable {
    private enum CodingKeys: String, CodingKey { case width, height, float32le }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let w = try c.decode(Int.self, forKey: .width), h = try c.decode(Int.self, forKey: .height)
        let data = try c.decode(Data.self, forKey: .float32le)
        guard w >= 0, h >= 0, w.multipliedReportingOverflow(by: h).overflow == false,
              data.count == 3 * w * h * MemoryLayout<UInt32>.size else {
            throw DecodingError.dataCorruptedError(forKey: .float32le, in: c,
                debugDescription: "\(data.count) bytes of pixels do not make a \(w)x\(h) RGB Float32 image")
        }
        var px = [Float](repeating: 0, count: 3 * w * h)
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
