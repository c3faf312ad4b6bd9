import Foundation

extension SafeTensors {
    /// The checked header of a safetensors file: what each tensor is and where its bytes are,
    /// validated in full before a single tensor is allocated.
    ///
    /// A file decides every number here, so each is checked: the header's length (bounded, inside
    /// the file), that it is a JSON object, each dtype (F32 only), each rank (at most `maxRank`), each
    /// dimension (a whole number, not negative) and their product and byte count (overflow-checked:
    /// a negative or huge shape used to pass the byte-count check by wrapping), each data_offsets pair
    /// (inside the data, its length equal to 4 x the element count), and that no two tensors share bytes.
    public struct Header: Sendable, Equatable {
        public struct Entry: Sendable, Equatable {
            public var name: String
            public var shape: [Int]
            /// Number of Float values: the product of `shape`.
            public var count: Int
            /// Where the values are, as offsets into the whole file (header included).
            public var byteRange: Range<Int>
        }

        /// Sorted by where their bytes start.
        public var entries: [Entry]
        public var metadata: [String: String]

        public init(parsing bytes: Data, path: String = "<memory>") throws {
            self = try bytes.withUnsafeBytes { try Header(parsing: $0, path: path) }
        }

        public init(parsing bytes: UnsafeRawBufferPointer, path: String = "<memory>") throws(SafeTensorsError) {
            func corrupt(_ why: String) -> SafeTensorsError { .corrupt(path: path, reason: why) }
            guard bytes.count >= 8 else { throw corrupt("it is shorter than its 8-byte header length") }
            var headerLength: UInt64 = 0
            for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
            guard headerLength <= UInt64(SafeTensors.maxHeaderBytes) else {
                throw corrupt("its header claims \(headerLength) bytes, more than the \(SafeTensors.maxHeaderBytes) a header may have")
            }
            guard headerLength <= UInt64(bytes.count - 8) else {
                throw corrupt("its header length \(headerLength) runs past the end of the file (\(bytes.count) bytes)")
            }
            let dataStart = 8 + Int(headerLength)
            let dataSize = bytes.count - dataStart
            let json = Data(bytes[8..<dataStart])
            // Foundation's parser refuses nesting deeper than 512 on its own; the header is bounded above.
            guard let object = try? JSONSerialization.jsonObject(with: json), let header = object as? [String: Any] else {
                throw corrupt("its header is not a JSON object")
            }
            var entries: [Entry] = []
            var metadata: [String: String] = [:]
            for (name, value) in header {
                if name == "__metadata__" {
                    guard let m = value as? [String: String] else { throw corrupt("its __metadata__ is not an object of texts") }
                    metadata = m
                    continue
                }
                guard let entry = value as? [String: Any] else { throw corrupt("tensor \(name) is not described by an object") }
                guard let dtype = entry["dtype"] as? String else { throw corrupt("tensor \(name) has no dtype") }
                guard dtype == "F32" else { throw corrupt("tensor \(name) is \(dtype), expected F32") }
                guard let shape = Self.wholeNumbers(entry["shape"]) else {
                    throw corrupt("tensor \(name) has no shape, or a shape that is not a list of whole numbers")
                }
                guard shape.count <= SafeTensors.maxRank else {
                    throw corrupt("tensor \(name) has \(shape.count) dimensions, more than \(SafeTensors.maxRank)")
                }
                guard shape.allSatisfy({ $0 >= 0 }) else { throw corrupt("tensor \(name) has a negative dimension in its shape \(shape)") }
                var count = 1
                for d in shape {
                    let (c, overflow) = count.multipliedReportingOverflow(by: d)
                    guard !overflow else { throw corrupt("tensor \(name) has shape \(shape), whose size overflows") }
                    count = c
                }
                let (byteCount, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
                guard !overflow else { throw corrupt("tensor \(name) has shape \(shape), whose size overflows") }
                guard let offsets = Self.wholeNumbers(entry["data_offsets"]), offsets.count == 2 else {
                    throw corrupt("tensor \(name) has no data_offsets pair [begin, end]")
                }
                let (begin, end) = (offsets[0], offsets[1])
                guard begin >= 0, begin <= end, end <= dataSize else {
                    throw corrupt("tensor \(name) has data offsets \(offsets) outside the \(dataSize) bytes of data")
                }
                guard end - begin == byteCount else {
                    throw corrupt("tensor \(name) of shape \(shape) needs \(byteCount) bytes but its data offsets \(offsets) hold \(end - begin)")
                }
                entries.append(Entry(name: name, shape: shape, count: count, byteRange: (dataStart + begin)..<(dataStart + end)))
            }
            entries.sort { ($0.byteRange.lowerBound, $0.name) < ($1.byteRange.lowerBound, $1.name) }
            let filled = entries.filter { !$0.byteRange.isEmpty }   // an empty tensor holds no bytes to share
            for (a, b) in zip(filled, filled.dropFirst()) where b.byteRange.lowerBound < a.byteRange.upperBound {
                throw corrupt("tensors \(a.name) and \(b.name) share bytes (data offsets overlap)")
            }
            self.entries = entries
            self.metadata = metadata
        }

        /// A JSON list of whole numbers that fit in an Int exactly (no fractions), or nil.
        private static func wholeNumbers(_ value: Any?) -> [Int]? {
            guard let list = value as? [Any] else { return nil }
            var out: [Int] = []
            out.reserveCapacity(list.count)
            for item in list {
                // Bridging an NSNumber to Int succeeds only when the value is exactly a whole Int.
                guard let i = item as? Int else { return nil }
                out.append(i)
            }
            return out
        }
    }

    /// A header longer than this is refused before it is parsed: Inception-v3's is about 60 KB.
    public static let maxHeaderBytes = 16_000_000
    /// Convolution weights have 4 dimensions; nothing in a weights file needs more than 8.
    public static let maxRank = 8
}
