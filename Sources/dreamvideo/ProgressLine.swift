import Foundation
import FrameLoop

/// Shows which frame, which layer, seconds per frame and time left on standard error: one line
/// rewritten in place on a terminal, a line per frame otherwise (logs).
final class ProgressLine {
    private let total: Int
    private let interactive = isatty(STDERR_FILENO) == 1
    private var drawn = false

    init(total: Int) { self.total = total }

    func announce(_ message: String) {
        write(message + "\n")
    }

    func update(_ p: FrameProgress) {
        let width = String(total).count
        let frame = String(p.frame).leftPadded(to: width)
        let line = "frame \(frame)/\(p.total)  \(p.layers)  \(String(format: "%.2f", p.seconds)) s/frame  "
            + "left \(Self.duration(p.secondsLeft))"
        if interactive {
            write("\r\u{1B}[K" + line)
            drawn = true
        } else {
            write(line + "\n")
        }
    }

    func end() {
        if drawn { write("\n"); drawn = false }
    }

    private func write(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", s / 60 % 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
