import Foundation

/// PNG files built byte by byte for tests of what a decoder does with a header before any pixels: the
/// signature, chunks with their CRC-32, and zlib's stored (uncompressed) blocks, so that no library
/// is needed to make them.
public enum CraftedPNG {
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// A signature, an IHDR of the size (8-bit RGB), an empty IDAT and IEND: what a decoder sees first
    /// of a huge image, and all it needs to refuse it.
    public static func headerOnly(width: Int, height: Int) -> [UInt8] {
        signature + chunk("IHDR", ihdr(width, height)) + chunk("IDAT", []) + chunk("IEND", [])
    }

    /// A whole 8-bit RGB PNG: `rows` are the filtered scanlines (a filter byte, then 3 bytes a pixel),
    /// in one IDAT of stored deflate blocks.
    public static func stored(width: Int, height: Int, rows: [UInt8]) -> [UInt8] {
        var z: [UInt8] = [0x78, 0x01]
        var i = 0
        repeat {
            let n = min(65535, rows.count - i)
            z += [i + n == rows.count ? 1 : 0, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            z += rows[i..<(i + n)]
            i += n
        } while i < rows.count
        var a: UInt32 = 1, b: UInt32 = 0
        for v in rows { a = (a + UInt32(v)) % 65521; b = (b + a) % 65521 }
        z += be32(Int(b << 16 | a))
        return signature + chunk("IHDR", ihdr(width, height)) + chunk("IDAT", z) + chunk("IEND", [])
    }

    /// A chunk: length, type, data, and the CRC-32 of type and data.
    public static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(data.count) + body + be32(Int(crc32(body)))
    }

    /// The CRC-32 of PNG chunks (ISO 3309, reflected, polynomial 0xEDB88320).
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return ~c
    }

    static func ihdr(_ width: Int, _ height: Int) -> [UInt8] { be32(width) + be32(height) + [8, 2, 0, 0, 0] }

    static func be32(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }
}
