import Foundation

/// How oneDNN's OpenMP threads wait between primitives. libgomp reads OMP_WAIT_POLICY and
/// GOMP_SPINCOUNT once, when it is loaded at process start, so setting them later does nothing: the
/// command sets them and re-executes itself, once. A user's value of either is kept as it is.
///
/// - Not spinning for long: when the host squeezes the two vCPUs into one core's worth, a spinning
///   thread steals it from the working one (measured: a step took 5x longer spinning without end;
///   with a busy loop on the second CPU, 2-thread f32 steps took 1590 ms always spinning, 420 ms
///   spinning 20000 turns, 180 ms not spinning; Zen 5, 2026-12-03).
/// - But a little: a dream step runs about 200 primitives one after another, and a thread that went
///   to sleep after each wakes late for the next (a vCPU's wake-up goes through the host). Spinning
///   1000 turns (some microseconds) before sleeping: 2-thread steps (mixed_5, 640x360) f32 88-95 ms
///   against 103-109 ms not spinning, bf16 64 against 67-73, and with the busy loop 177-192 ms
///   against 161-199 (medians of interleaved runs, `dreamvideo bench --threads 2`, same machine and day).
enum OpenMPEnvironment {
    static let waitPolicy = "passive"
    static let spinCount = "1000"

    static func ensureShortSpinning() {
        let environment = ProcessInfo.processInfo.environment
        guard environment["OMP_WAIT_POLICY"] == nil, environment["GOMP_SPINCOUNT"] == nil else { return }
        setenv("OMP_WAIT_POLICY", waitPolicy, 1)
        setenv("GOMP_SPINCOUNT", spinCount, 1)
        let args = CommandLine.unsafeArgv
        execv("/proc/self/exe", args)
        // execv returns only on failure: carry on with libgomp's defaults rather than not at all.
    }
}
