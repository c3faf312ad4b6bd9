import Foundation

/// oneDNN runs on OpenMP, whose idle threads spin by default. When the host squeezes the two vCPUs
/// into one core's worth, spinning threads steal it from the working ones (measured: a step took
/// 5x longer). libgomp reads OMP_WAIT_POLICY once, when it is loaded at process start, so setting
/// it later does nothing: the command sets it and re-executes itself, once. A user's value is kept.
enum OpenMPEnvironment {
    static func ensurePassiveWaiting() {
        guard ProcessInfo.processInfo.environment["OMP_WAIT_POLICY"] == nil else { return }
        setenv("OMP_WAIT_POLICY", "passive", 1)
        let args = CommandLine.unsafeArgv
        execv("/proc/self/exe", args)
        // execv returns only on failure: carry on with spinning threads rather than not at all.
    }
}
