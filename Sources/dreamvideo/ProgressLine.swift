import Foundation
import FrameLoop
import Imaging
import Schedule

/// Shows which frame, which layer, the mean seconds per frame and time left on standard error: one
/// line rewritten in place on a terminal, a line per frame otherwise (logs). Inside a long frame it
/// shows the octave and step the dream is at, so that nothing is silent for more than a few seconds.
final class ProgressLine {
    private let total: Int
    private let interactive: Bool
    private var drawn = false
    private let clock = ContinuousClock()
    private var lastWritten: ContinuousClock.Instant
    private var last: FrameProgress?
    /// How long a frame may go without a word: on a terminal the line is redrawn at most this often
    /// during a frame; in a log, a step line is written after this long without output.
    private let stepInterval: Duration

    init(total: Int, interactive: Bool = isatty(STDERR_FILENO) == 1) {
        self.total = total
        self.interactive = interactive
        stepInterval = interactive ? .milliseconds(500) : .seconds(3)
        lastWritten = clock.now
    }

    func announce(_ message: String) {
        write(message + "\n")
    }

    func update(_ p: FrameProgress) {
        last = p
        let line = Self.line(p, width: String(total).count)
        if interactive {
            write("\r\u{1B}[K" + line)
            drawn = true
        } else {
            write(line + "\n")
        }
    }

    /// The frame line: the mean over the frames so far, since with a cadence the in-between frames
    /// take a fraction of a dreamed one's time and the last frame's own time would mislead.
    static func line(_ p: FrameProgress, width: Int) -> String {
        let frame = String(p.frame).leftPadded(to: width)
        return "frame \(frame)/\(p.total)  \(p.layers)  \(String(format: "%.2f", p.meanSeconds)) s/frame (mean)  "
            + "left \(Self.duration(p.secondsLeft))"
    }

    /// Before each gradient step of `frame`: shows where the dream is, at most every `stepInterval`.
    func step(frame: Int, _ s: DreamStep) {
        guard clock.now - lastWritten >= stepInterval else { return }
        let width = String(total).count
        let place = "frame \(String(frame).leftPadded(to: width))/\(total)  octave \(s.octave)/\(s.octaves)  step \(s.step)/\(s.steps)"
        let tail = last.map { "  (\(String(format: "%.2f", $0.meanSeconds)) s/frame (mean), left \(Self.duration($0.secondsLeft)))" } ?? ""
        if interactive {
            write("\r\u{1B}[K" + place + tail)
            drawn = true
        } else {
            write(place + tail + "\n")
        }
    }

    func end() {
        if drawn { write("\n"); drawn = false }
    }

    private func write(_ s: String) {
        lastWritten = clock.now
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
