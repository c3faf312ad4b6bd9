import Foundation

/// Sound made in the test, so every beat's time is known: clicks (10 ms bursts of a 1.5 kHz tone,
/// decaying) over a quiet 110 Hz hum, or silence followed by noise.
public enum SyntheticAudio {
    public static func clickTrack(beats: [Double], seconds: Double, rate: Int = 44100) -> [Float] {
        let n = Int(seconds * Double(rate))
        var x = (0..<n).map { Float(0.05 * sin(2 * Double.pi * 110 * Double($0) / Double(rate))) }
        for t in beats {
            let start = Int(t * Double(rate))
            for i in 0..<Int(0.01 * Double(rate)) where start + i < n {
                let s = Double(i) / Double(rate)
                x[start + i] += Float(0.8 * sin(2 * Double.pi * 1500 * s) * exp(-200 * s))
            }
        }
        return x
    }

    /// `silent` seconds of digital silence, then `noisy` seconds of white noise at 0.3.
    public static func silenceThenNoise(silent: Double, noisy: Double, rate: Int = 44100) -> [Float] {
        var g = SplitMix(seed: 7)
        return [Float](repeating: 0, count: Int(silent * Double(rate)))
            + (0..<Int(noisy * Double(rate))).map { _ in 0.3 * g.uniform() }
    }

    /// A 16-bit PCM mono WAV file.
    public static func writeWAV(_ samples: [Float], rate: Int = 44100, to path: String) throws {
        var d = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + 2 * samples.count); d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(rate); u32(2 * rate); u16(2); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(2 * samples.count)
        for s in samples {
            let v = Int16(max(-32767, min(32767, (s * 32767).rounded())))
            withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) }
        }
        try d.write(to: URL(fileURLWithPath: path))
    }
}
