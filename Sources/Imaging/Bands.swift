import Foundation

/// Runs a loop over 0..<total on every core at once, in a few bands per core (so a core that the host
/// slows down does not hold the others back). For loops where each index is computed on its own:
/// they give the same bytes whatever the number of cores.
public enum Bands {
    public static func forEach(_ total: Int, cores: Int = ProcessInfo.processInfo.activeProcessorCount,
                        _ body: (Range<Int>) -> Void) {
        let count = max(1, min(total, 4 * max(1, cores)))
        if count == 1 { body(0..<total); return }
        DispatchQueue.concurrentPerform(iterations: count) { band in
            body((band * total / count)..<((band + 1) * total / count))
        }
    }
}
