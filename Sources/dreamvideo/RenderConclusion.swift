import ArgumentParser
import Foundation
import Render

/// A render that ended before its end for a reason other than a signal (a full disk, a failed
/// write): its one error line says why, what is kept, and how to continue.
struct RenderStopped: Error, CustomStringConvertible {
    var description: String
}

extension OpenOutputs.Outcome {
    /// Ends a render: says what was written (complete), or what is kept and how to go on. Throws
    /// ExitCode(128 + signal) for a stop asked by a signal, RenderStopped for one forced by an error.
    func conclude(failure: Error?, lowOnSpace: String?, signal: Int32?, settings: RenderSettings, settingsPath: String,
                  progress: ProgressLine) throws {
        if complete && failure == nil && problems.isEmpty {
            var line = "wrote \(total.map { "\($0) frames to " } ?? "")\(summary)"
                + (Self.sizeNote(path: settings.mp4, size: settings.size).map { " (\($0))" } ?? "") + " (settings: \(settingsPath))"
            if layout == .fragmented { line += "; the video is a fragmented MP4 (it plays; there was no room to rewrite it with its index first)" }
            progress.announce(line)
            return
        }
        let why = failure.map { "\($0)" } ?? lowOnSpace.map { "cannot write video \(settings.mp4 ?? ""): \($0)" }
        let trouble = ([why].compactMap { $0 } + problems)
        if trouble.isEmpty, let signal {
            progress.announce(stopReport(settings: settings))
            throw ExitCode(128 + signal)
        }
        if frames == 0 && checkpoint == nil, let failure { throw failure }
        throw RenderStopped(description: trouble.joined(separator: "; ") + "; "
                            + stopReport(settings: settings, fix: "free some space (or remove the cause above)"))
    }
}
