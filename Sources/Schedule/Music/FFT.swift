import Foundation

/// An in-place radix-2 FFT of a fixed power-of-two size, with its twiddles and bit reversal computed
/// once: the music analysis runs one per hop (about 170 a second of sound).
struct FFT {
    let size: Int
    private let cosines: [Float]
    private let sines: [Float]
    private let reversed: [Int]

    init(size: Int) {
        precondition(size >= 2 && size & (size - 1) == 0, "FFT size must be a power of two")
        self.size = size
        cosines = (0..<size / 2).map { Float(cos(-2 * Double.pi * Double($0) / Double(size))) }
        sines = (0..<size / 2).map { Float(sin(-2 * Double.pi * Double($0) / Double(size))) }
        let bits = size.trailingZeroBitCount
        reversed = (0..<size).map { i in
            var r = 0
            for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
            return r
        }
    }

    /// The magnitudes of bins 0...size/2 of the real signal `x` (size samples).
    func magnitudes(_ x: [Float]) -> [Float] {
        precondition(x.count == size)
        var re = [Float](repeating: 0, count: size), im = [Float](repeating: 0, count: size)
        for i in 0..<size { re[reversed[i]] = x[i] }
        var len = 2
        while len <= size {
            let half = len / 2, step = size / len
            var start = 0
            while start < size {
                for k in 0..<half {
                    let wr = cosines[k * step], wi = sines[k * step]
                    let a = start + k, b = a + half
                    let tr = re[b] * wr - im[b] * wi, ti = re[b] * wi + im[b] * wr
                    re[b] = re[a] - tr; im[b] = im[a] - ti
                    re[a] += tr; im[a] += ti
                }
                start += len
            }
            len *= 2
        }
        return (0...size / 2).map { (re[$0] * re[$0] + im[$0] * im[$0]).squareRoot() }
    }
}
