extension PNGSequenceSink {
    /// The frame number of a name this sink writes ("frame_" + at least 5 digits + ".png", numbered
    /// from 1; see `fileName(index:)`), or nil for any other name: only such files in a frame folder
    /// are ours to replace or remove.
    public static func frameNumber(ofName name: String) -> Int? {
        guard name.hasPrefix("frame_"), name.hasSuffix(".png") else { return nil }
        let digits = name.utf8.dropFirst(6).dropLast(4)
        guard digits.count >= 5, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let n = Int(String(decoding: digits, as: UTF8.self)), n >= 1 else { return nil }
        return n
    }
}
