import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// This process's resident memory, for benchmarks and memory checks.
public enum ResidentMemory {
    /// The most resident memory this process has had, in bytes (getrusage's ru_maxrss).
    public static var peakBytes: Int {
        var usage = rusage()
        #if os(Linux)
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        return usage.ru_maxrss * 1024   // kilobytes on Linux
        #else
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
        return usage.ru_maxrss          // bytes on macOS
        #endif
    }

    /// Resident memory now, in bytes (Linux: /proc/self/statm; 0 where unavailable).
    public static var currentBytes: Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
