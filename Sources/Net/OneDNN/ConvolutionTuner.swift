import CDNNL
import Foundation

/// Picks each 3x3 convolution's algorithm (direct or Winograd, forward and backward-data apart) by
/// timing both once for the layer's shape, size and thread count, and remembers the winner on disk
/// (AlgorithmCache). No fixed rule holds across CPUs: "Winograd on one thread, direct on more" was
/// measured on Zen 5 and is wrong on Zen 4 (Inception-v3 to mixed_5, 640x360, 2 threads: Winograd
/// 228 ms, direct ~300 ms). Shared by engines that run at once (SplitEngine's parts): thread-safe.
public final class ConvolutionTuner: @unchecked Sendable {
    public let cache: AlgorithmCache
    private var entries: [String: AlgorithmCache.Entry]
    private let lock = NSLock()
    /// What was decided in this process, in order: for `bench` to show.
    public private(set) var decisions: [Decision] = []
    /// The last failure to save the cache (the choice still holds for this process).
    public private(set) var saveError: String?

    public struct Decision: Sendable {
        public var layer: String
        public var key: String
        public var entry: AlgorithmCache.Entry
        /// False when timed in this process.
        public var fromCache: Bool
    }

    public init(cache: AlgorithmCache) {
        self.cache = cache
        entries = cache.load()
    }

    /// The tuner for this machine's default cache file.
    public static func forThisMachine() -> ConvolutionTuner {
        ConvolutionTuner(cache: AlgorithmCache(url: AlgorithmCache.defaultURL(), machine: "\(AlgorithmCache.cpuName()), oneDNN \(oneDNNVersion)"))
    }

    public static var oneDNNVersion: String {
        let v = dnnl_version().pointee
        return "\(v.major).\(v.minor).\(v.patch)"
    }

    /// The winner among `candidates` (name -> a run of it) for `key`: from the cache, or timed now
    /// (one warm-up run, then the best of three).
    /// The lock is not held while timing: a candidate may itself build primitives that ask the tuner.
    func choose(layer: String, key: String, candidates: [(name: String, run: () throws -> Void)]) throws -> String {
        let names = candidates.map(\.name)
        if let choice = cached(layer: layer, key: key, among: names) { return choice }
        let clock = ContinuousClock()
        var ms: [String: Double] = [:]
        for c in candidates {
            try c.run()
            var best = Double.infinity
            for _ in 0..<3 {
                let d = try clock.measure { try c.run() }
                let (s, atto) = d.components
                best = min(best, (Double(s) + Double(atto) * 1e-18) * 1000)
            }
            ms[c.name] = best
        }
        let winner = candidates.min { ms[$0.name]! < ms[$1.name]! }!.name
        let e = AlgorithmCache.Entry(choice: winner, milliseconds: ms)
        lock.lock()
        defer { lock.unlock() }
        // Another engine (a strip beside this one) timed the same key meanwhile: its choice stands,
        // so every part of one render runs the same kernels and repeats give the same bytes (the two
        // strips once took different algorithms for one shape, and the next engine, reading the
        // cache, then differed from the first in the last bits: SplitEngineTests, CI on 1e9c78e).
        if let first = entries[key], names.contains(first.choice) { return first.choice }
        entries[key] = e
        decisions.append(Decision(layer: layer, key: key, entry: e, fromCache: false))
        do { try cache.save([key: e]) } catch { saveError = "\(error)" }
        return winner
    }
}

extension ConvolutionTuner {
    /// The cached choice for `key` if it is one of `names` (recorded as a decision).
    func cached(layer: String, key: String, among names: [String]) -> String? {
        lock.lock()
        defer { lock.unlock() }
        guard let e = entries[key], names.contains(e.choice) else { return nil }
        decisions.append(Decision(layer: layer, key: key, entry: e, fromCache: true))
        return e.choice
    }

    /// Times `pd` on scratch memories filled with a small constant (zeros or garbage could hit
    /// denormal or NaN slow paths and skew the timing).
    static func run(_ pd: PrimitiveDesc, args: [(Int32, dnnl_query_t, Int32)], ctx: DNNLContext) throws -> () throws -> Void {
        let prim = try Primitive(pd, op: "timing")
        var bound: [(Int32, Memory)] = []
        for (arg, query, index) in args {
            let m = try Memory(pd.md(query, index), ctx)
            let n = m.desc.byteSize / MemoryLayout<Float>.stride
            if m.desc.raw.data_type == dnnl_bf16 {
                m.handle.initializeMemory(as: UInt16.self, repeating: 0x3C23, count: m.desc.byteSize / 2)   // ~0.01
            } else {
                m.floats.initialize(repeating: 0.01, count: n)
            }
            bound.append((arg, m))
        }
        let step = Step(prim, bound)
        return { try step.run(ctx); try ctx.wait() }
    }
}
