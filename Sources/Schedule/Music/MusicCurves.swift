import Foundation

/// What a piece of music does at each video frame, computed here from its samples (no media library):
/// the loudness envelope and the onsets (beats), each 0...1, one value per frame (index 0 is the first
/// frame, shown at time 0).
public struct MusicCurves: Sendable, Equatable {
    public enum Source: String, Sendable, CaseIterable, Codable {
        /// RMS level over the frame's own stretch of sound, in dB, mapped so that -60 dB (or digital
        /// silence) is 0 and the loud parts (the 95th percentile of the frames) are 1.
        case loudness
        /// 1 (times the onset's strength) at the frame nearest each onset, halving every `onsetHalfLife`.
        case onset
    }

    public var fps: Double
    public var loudness: [Double]
    public var onset: [Double]
    /// When each onset was heard, in seconds, and its strength 0...1.
    public var onsets: [(time: Double, strength: Double)]

    /// A pulse halves in 0.1 s: at 30 fps a beat's zoom is back near its base after about 4 frames,
    /// long enough to see, short enough that 8th notes at 120 bpm (0.25 s apart) stay apart.
    public static let onsetHalfLife = 0.1

    public var frames: Int { loudness.count }

    public func value(_ source: Source, atFrame f: Int) -> Double {
        let curve = source == .loudness ? loudness : onset
        guard !curve.isEmpty else { return 0 }
        return curve[min(max(f, 0), curve.count - 1)]
    }

    public static func == (a: MusicCurves, b: MusicCurves) -> Bool {
        a.fps == b.fps && a.loudness == b.loudness && a.onset == b.onset
            && a.onsets.count == b.onsets.count && zip(a.onsets, b.onsets).allSatisfy { $0.time == $1.time && $0.strength == $1.strength }
    }

    /// Analyses mono `samples` at `sampleRate` for `frames` video frames at `fps`.
    public init(samples: [Float], sampleRate: Int, fps: Double, frames: Int) {
        precondition(sampleRate > 0 && fps > 0 && frames >= 0)
        self.fps = fps
        loudness = Self.loudness(samples, rate: Double(sampleRate), fps: fps, frames: frames)
        onsets = Self.onsets(samples, rate: sampleRate)
        var curve = [Double](repeating: 0, count: frames)
        let decay = pow(0.5, 1 / (Self.onsetHalfLife * fps))
        for o in onsets {
            let f0 = Int((o.time * fps).rounded())
            guard f0 < frames else { continue }
            var v = o.strength
            for f in max(f0, 0)..<frames {
                curve[f] = max(curve[f], v)
                v *= decay
                if v < 1e-3 { break }
            }
        }
        onset = curve
    }

    // MARK: - loudness

    static let silenceDB = -60.0

    static func loudness(_ x: [Float], rate: Double, fps: Double, frames: Int) -> [Double] {
        var db = [Double](repeating: silenceDB, count: frames)
        for f in 0..<frames {
            // The sound heard while the frame is on screen: [f/fps, (f+1)/fps).
            let a = min(x.count, Int((Double(f) / fps * rate).rounded())), b = min(x.count, Int((Double(f + 1) / fps * rate).rounded()))
            guard b > a else { continue }
            var sum = 0.0
            for i in a..<b { sum += Double(x[i]) * Double(x[i]) }
            let rms = (sum / Double(b - a)).squareRoot()
            if rms > 0 { db[f] = max(silenceDB, 20 * log10(rms)) }
        }
        guard frames > 0 else { return [] }
        let loud = db.sorted()[min(frames - 1, Int(Double(frames) * 0.95))]
        guard loud > silenceDB + 1 else { return [Double](repeating: 0, count: frames) }
        return db.map { min(1, max(0, ($0 - silenceDB) / (loud - silenceDB))) }
    }

    // MARK: - onsets

    /// Spectral flux (the rise of log-compressed magnitudes, summed over bins) every hop, then a peak
    /// picker: a hop is an onset if it is the largest within ±30 ms, exceeds the mean of the 100 ms
    /// around it by 7% of the largest flux; its strength is its flux against the strong onsets', and comes 50 ms or more after the previous onset.
    /// Windows of about 23 ms (1024 samples at 44.1 kHz), hops of a quarter of that (5.8 ms):
    /// a click is placed within a few milliseconds, far inside one frame.
    static func onsets(_ x: [Float], rate: Int) -> [(time: Double, strength: Double)] {
        var n = 256
        while n < rate / 43 { n *= 2 }
        let hop = n / 4
        guard !x.isEmpty else { return [] }
        let fft = FFT(size: n)
        let window = (0..<n).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n))) }
        let hops = x.count / hop + 1
        var flux = [Double](repeating: 0, count: hops)
        var previous: [Float]?
        var frame = [Float](repeating: 0, count: n)
        for j in 0..<hops {
            let centre = j * hop
            for k in 0..<n {
                let i = centre - n / 2 + k
                frame[k] = i >= 0 && i < x.count ? x[i] * window[k] : 0
            }
            let mags = fft.magnitudes(frame).map { log(1 + 100 * $0) }
            // A window reaching past the end sees the sound cut off: a step, broadband, not an onset.
            if let p = previous, centre + n / 2 <= x.count {
                var s: Float = 0
                for b in mags.indices { s += max(0, mags[b] - p[b]) }
                flux[j] = Double(s)
            }
            previous = mags
        }
        guard let top = flux.max(), top > 0 else { return [] }
        let seconds = { (h: Int) in Double(h * hop) / Double(rate) }
        let near = max(1, Int(0.03 * Double(rate)) / hop), around = max(1, Int(0.05 * Double(rate)) / hop)
        let gap = 0.05
        var found: [(time: Double, strength: Double)] = []
        for j in flux.indices where flux[j] > 0 {
            let lo = max(0, j - near), hi = min(hops - 1, j + near)
            guard flux[j] >= flux[lo...hi].max()! else { continue }
            let mlo = max(0, j - around), mhi = min(hops - 1, j + around)
            let mean = flux[mlo...mhi].reduce(0, +) / Double(mhi - mlo + 1)
            guard flux[j] >= mean + 0.07 * top else { continue }
            let t = seconds(j)
            if let last = found.last, t - last.time < gap { continue }
            found.append((t, flux[j]))
        }
        // Strength against the strong onsets (the 90th percentile), not the single largest: one
        // crash cymbal should not make every other beat faint.
        guard !found.isEmpty else { return [] }
        let strong = found.map(\.strength).sorted()[min(found.count - 1, Int(Double(found.count) * 0.9))]
        return found.map { ($0.time, min(1, $0.strength / strong)) }
    }
}
