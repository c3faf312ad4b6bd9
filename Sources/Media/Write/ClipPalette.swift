/// One palette for a whole clip and ordered dithering onto it, for GIF (256 colours at most).
///
/// The palette is a median cut over a sample of every frame's pixels (about a million, spread evenly),
/// so a colour that appears only late in the zoom still gets entries and no frame jumps to another
/// palette. Ordered (Bayer 8x8) dithering rather than error diffusion: its pattern stays put from
/// frame to frame, where Floyd-Steinberg's error paths change everywhere and make the still parts of
/// the picture crawl (and the file larger, since GIF compresses repeated runs).
struct ClipPalette {
    /// The palette's colours (at most the count asked for).
    let colours: [(UInt8, UInt8, UInt8)]
    /// The nearest colour for each cell of a 64x64x64 grid over RGB.
    private let nearest: [UInt8]

    /// The dither's amplitude in 8-bit levels: enough to break the bands of a 256-colour palette on
    /// smooth gradients, small enough that flat areas stay quiet.
    static let amplitude: Float = 14

    init(frames: [[UInt8]], colours count: Int) {
        precondition(count >= 2 && count <= 256)
        let pixels = frames.reduce(0) { $0 + $1.count / 3 }
        let step = max(1, pixels / 1_000_000)
        var sample: [UInt32] = []
        sample.reserveCapacity(pixels / step + 1)
        var phase = 0
        for f in frames {
            let n = f.count / 3
            var i = phase
            while i < n {
                sample.append(UInt32(f[3 * i]) << 16 | UInt32(f[3 * i + 1]) << 8 | UInt32(f[3 * i + 2]))
                i += step
            }
            phase = i - n
        }
        let cs = Self.medianCut(&sample, count: count)
        colours = cs.isEmpty ? [(0, 0, 0)] : cs
        var table = [UInt8](repeating: 0, count: 64 * 64 * 64)
        let pal = colours.map { (Int($0.0), Int($0.1), Int($0.2)) }
        for r in 0..<64 {
            for g in 0..<64 {
                for b in 0..<64 {
                    let (cr, cg, cb) = (r * 4 + 2, g * 4 + 2, b * 4 + 2)
                    var best = 0, bestD = Int.max
                    for (i, p) in pal.enumerated() {
                        let dr = cr - p.0, dg = cg - p.1, db = cb - p.2
                        let d = 2 * dr * dr + 4 * dg * dg + 3 * db * db
                        if d < bestD { bestD = d; best = i }
                    }
                    table[(r << 12) | (g << 6) | b] = UInt8(best)
                }
            }
        }
        nearest = table
    }

    /// Splits the box of samples with the largest spread (times its share of pixels) at the median of
    /// its widest channel until there are `count` boxes; each box's mean is a colour.
    private static func medianCut(_ s: inout [UInt32], count: Int) -> [(UInt8, UInt8, UInt8)] {
        guard !s.isEmpty else { return [] }
        func channel(_ v: UInt32, _ c: Int) -> Int { Int((v >> UInt32(16 - 8 * c)) & 0xFF) }
        func widest(_ r: Range<Int>) -> (channel: Int, spread: Int) {
            var lo = [255, 255, 255], hi = [0, 0, 0]
            for i in r { for c in 0..<3 { let v = channel(s[i], c); lo[c] = min(lo[c], v); hi[c] = max(hi[c], v) } }
            let spreads = (0..<3).map { hi[$0] - lo[$0] }
            let c = spreads.firstIndex(of: spreads.max()!)!
            return (c, spreads[c])
        }
        var boxes: [(range: Range<Int>, channel: Int, spread: Int)] = []
        let all = 0..<s.count
        let w = widest(all)
        boxes.append((all, w.channel, w.spread))
        while boxes.count < count {
            guard let pick = boxes.indices.filter({ boxes[$0].spread > 0 && boxes[$0].range.count > 1 })
                .max(by: { Double(boxes[$0].spread) * Double(boxes[$0].range.count).squareRoot()
                         < Double(boxes[$1].spread) * Double(boxes[$1].range.count).squareRoot() }) else { break }
            let box = boxes[pick]
            let c = box.channel
            s[box.range].sort { channel($0, c) < channel($1, c) }
            let mid = box.range.lowerBound + box.range.count / 2
            let a = box.range.lowerBound..<mid, b = mid..<box.range.upperBound
            let wa = widest(a), wb = widest(b)
            boxes[pick] = (a, wa.channel, wa.spread)
            boxes.append((b, wb.channel, wb.spread))
        }
        return boxes.map { box in
            var sum = [0, 0, 0]
            for i in box.range { for c in 0..<3 { sum[c] += channel(s[i], c) } }
            let n = box.range.count
            return (UInt8((sum[0] + n / 2) / n), UInt8((sum[1] + n / 2) / n), UInt8((sum[2] + n / 2) / n))
        }
    }

    private static let bayer: [Float] = {
        var m = [Int](repeating: 0, count: 64)
        for y in 0..<8 {
            for x in 0..<8 {
                var v = 0, xx = x, yy = y ^ x
                for bit in 0..<3 {
                    v |= ((yy >> bit) & 1) << (5 - 2 * bit)
                    v |= ((xx >> bit) & 1) << (4 - 2 * bit)
                }
                m[y * 8 + x] = v
            }
        }
        return m.map { (Float($0) + 0.5) / 64 - 0.5 }
    }()

    /// Palette indices for one interleaved RGB8 frame.
    func dithered(_ rgb: [UInt8], width: Int, height: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: width * height)
        let bayer = Self.bayer, a = Self.amplitude
        rgb.withUnsafeBufferPointer { p in
            nearest.withUnsafeBufferPointer { table in
                out.withUnsafeMutableBufferPointer { o in
                    for y in 0..<height {
                        for x in 0..<width {
                            let d = bayer[(y & 7) * 8 + (x & 7)] * a
                            let i = y * width + x
                            func cell(_ v: UInt8) -> Int { Int(min(max(Float(v) + d, 0), 255)) >> 2 }
                            o[i] = table[(cell(p[3 * i]) << 12) | (cell(p[3 * i + 1]) << 6) | cell(p[3 * i + 2])]
                        }
                    }
                }
            }
        }
        return out
    }
}
