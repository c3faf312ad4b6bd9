import Foundation
import FrameLoop
import Imaging
import Media
import Schedule

/// A render's outputs while it runs: the sinks, the temporaries holding space for the checkpoint and
/// the settings record, and the loop state that matches the frames the sinks hold. The render thread
/// and a stop from a signal (another thread, while the render thread is inside a frame) finish them
/// here; whichever claims the stop first does it, and the other waits.
///
/// The PNG goes first and the MP4 second: when a frame file cannot be written the video has not
/// seen that frame either, so both hold the same frames and one checkpoint fits them.
public final class OpenOutputs: FrameSink, @unchecked Sendable {
    public let mp4: MP4Sink?
    /// -o out.gif / out.webp instead of an MP4.
    public let animated: AnimatedSink?
    public let frames: PNGSequenceSink?
    public let total: Int?
    public let summary: String
    private let settings: RenderSettings
    private let settingsFile: PartialFile
    /// nil for a render that cannot be resumed (a video input).
    private let checkpointFile: PartialFile?
    private let checkpointPath: String?
    private let tracksState: Bool

    private let condition = NSCondition()
    /// The temporary of `secondsPerWrite`'s throwaway video while it exists, for a stop that ends the
    /// process meanwhile (`close`, `abandon`) to remove it.
    private let probeLock = NSLock()
    private var probeTemporary: String?
    private var writing = false
    private var matched: ZoomLoop.State?
    private var given: Int
    private var claimed = false
    private var videoFailed = false

    /// What the outputs hold once closed.
    public struct Outcome {
        public var frames: Int
        public var total: Int?
        public var summary: String
        /// The checkpoint that continues from `frames` (nil: none, the render cannot be resumed).
        public var checkpoint: String?
        /// The render reached its end.
        public var complete: Bool
        /// Failures while finishing, each a sentence.
        public var problems: [String] = []
        /// When the video holds another count than the frame files (a write to it failed).
        public var videoFrames: Int?
        public var layout: MP4Sink.Layout?
        /// The outputs that exist after closing (a removed folder takes its files with it).
        public var present: [String] = []
    }

    public init(mp4: MP4Sink?, frames: PNGSequenceSink?, total: Int?, summary: String, settings: RenderSettings,
         settingsFile: PartialFile, checkpoint: (file: PartialFile, path: String, state: ZoomLoop.State)?,
         animated: AnimatedSink? = nil) {
        self.mp4 = mp4; self.animated = animated; self.frames = frames; self.total = total; self.summary = summary
        self.settings = settings; self.settingsFile = settingsFile
        checkpointFile = checkpoint?.file
        checkpointPath = checkpoint?.path
        matched = checkpoint?.state
        tracksState = checkpoint != nil
        given = checkpoint?.state.framesDone ?? 0
    }

    public func write(_ frame: FloatImage) throws {
        condition.lock()
        // A stop claimed from another thread is finishing the outputs: this frame is dropped, and
        // the process ends there.
        while claimed { condition.wait() }
        writing = true
        condition.unlock()
        do {
            try frames?.write(frame)
            do { try mp4?.write(frame); try animated?.write(frame) } catch {
                condition.withLock { videoFailed = frames != nil }
                throw error
            }
        } catch {
            condition.withLock { writing = false; condition.broadcast() }
            throw error
        }
        condition.withLock {
            given += 1
            if !tracksState { writing = false; condition.broadcast() }
        }
    }

    /// Seconds writing one frame takes, timed on `frames` (frames like the render's, before the first
    /// one is written) without writing them anywhere: PNG encoded in memory, the MP4's encoder run on
    /// a throwaway temporary (`MP4Sink.encodeWithoutKeeping`). At 1440x1080 writing was 0.112 of
    /// 0.281 s a frame (`--profile`, PNG frames), which the forecast left out. A GIF or WebP is not
    /// timed (a GIF's work is its palette, at the end). A probe that fails counts as nothing: it
    /// only makes the forecast shorter, never stops the render. A PNG's time is about the same for
    /// every frame: the first two are timed. An encoder's first frame is a key frame and its
    /// lookahead holds frames back: all of them are.
    public func secondsPerWrite(probing frames: [FloatImage]) -> Double {
        let clock = ContinuousClock()
        /// Seconds per frame of `encode` on `some`, nothing if it fails.
        func mean(_ some: ArraySlice<FloatImage>, _ encode: ([FloatImage]) throws -> Void) -> Double {
            guard !some.isEmpty else { return 0 }
            let t0 = clock.now
            guard (try? encode(Array(some))) != nil else { return 0 }
            return (clock.now - t0).inSeconds / Double(some.count)
        }
        var seconds = 0.0
        if let pngs = self.frames { seconds += mean(frames.prefix(2)) { try $0.forEach(pngs.encodeWithoutWriting) } }
        if let mp4 {
            seconds += mean(frames[...]) {
                try MP4Sink.encodeWithoutKeeping($0, beside: mp4.path, options: mp4.options) { path in
                    probeLock.withLock { probeTemporary = path }
                }
            }
        }
        return seconds
    }

    /// Removes the throwaway video's temporary if `secondsPerWrite` is making one. Safe from any thread.
    private func removeProbe() {
        if let t = probeLock.withLock({ probeTemporary }) { unlink(t) }
    }

    /// The loop's state after the frame just written: what a checkpoint saved now holds.
    public func delivered(_ state: ZoomLoop.State) {
        condition.withLock {
            matched = state
            writing = false
            condition.broadcast()
        }
    }

    /// Closing is done by `close`, not by the loop.
    public func finish() throws {}

    /// Why the render must stop after this frame though nobody asked (the disk cannot hold more
    /// than what finishing needs); nil while there is room. Asked on the render thread.
    public var mustStop: String? { mp4?.lowOnSpace }

    /// True for the one caller that will close the outputs (after any frame being written reached
    /// every sink); false when another already does.
    public func claimStop() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        // `claimed` is asked again after every wait: waiting lets go of the lock, and another caller
        // may claim meanwhile. Asked once before waiting, the render thread's close and a second
        // signal's both went on, and two threads flushed the encoder at once (an assertion in
        // libavcodec aborted the process: SurviveTests' three signals, 2 runs in 30).
        while !claimed && writing { condition.wait() }
        if claimed { return false }
        claimed = true
        return true
    }

    /// The render thread's close: when a signal's stop already claimed the outputs, it waits for the
    /// process to end there.
    public func closeFromRenderThread(reachedEnd: Bool) -> Outcome {
        guard claimStop() else {
            condition.lock()
            while true { condition.wait() }
        }
        return close(reachedEnd: reachedEnd)
    }

    /// Finishes the video (keeping every frame it was given), saves the checkpoint of the frames
    /// every output holds (into the space held since the start) unless the render is complete, and
    /// writes the settings record. Call after `claimStop()` returned true.
    public func close(reachedEnd: Bool = false) -> Outcome {
        removeProbe()
        let (state, done, videoBroken) = condition.withLock { (matched, given, videoFailed) }
        var outcome = Outcome(frames: tracksState ? (state?.framesDone ?? 0) : done, total: total, summary: summary,
                              complete: reachedEnd)
        var videoKept = true
        if let mp4 {
            do {
                try mp4.finish()
                outcome.layout = mp4.layout
            } catch MP4SinkError.noFrames {
                // Stopped before its first frame: there is no video to keep.
            } catch {
                outcome.problems.append("\(error)")
                if case let MP4SinkError.writeFailedKeeping(_, _, kept) = error {
                    outcome.videoFrames = mp4.previous != nil ? mp4.previousFrames : kept
                }
                videoKept = false
            }
            if videoBroken { videoKept = false }
        }
        try? frames?.finish()
        if let animated {
            do { try animated.finish() } catch { outcome.problems.append("\(error)") }
        }

        if let file = checkpointFile, let path = checkpointPath {
            if outcome.complete || outcome.frames == 0 {
                file.discard()
                if outcome.complete { unlink(path) }
            } else if videoKept, let state {
                do {
                    try Checkpoint(settings: settings, totalFrames: total ?? 0, state: state).save(into: file)
                    outcome.checkpoint = path
                } catch {
                    outcome.problems.append("\(error)")
                }
            } else {
                file.discard()
                // A continued video left as it was still fits the checkpoint it was continued from.
                if mp4?.previous != nil, FileManager.default.fileExists(atPath: path) {
                    outcome.checkpoint = path
                    outcome.frames = mp4?.previousFrames ?? outcome.frames
                }
            }
        }
        if outcome.frames > 0 || outcome.complete {
            do { try settings.write(into: settingsFile) } catch { outcome.problems.append("\(error)") }
        } else {
            settingsFile.discard()
        }
        if let mp4, FileManager.default.fileExists(atPath: mp4.path) { outcome.present.append(settings.mp4 ?? mp4.path) }
        if let animated, FileManager.default.fileExists(atPath: animated.path) { outcome.present.append(settings.mp4 ?? animated.path) }
        if let frames, FileManager.default.fileExists(atPath: frames.directory) {
            outcome.present.append((settings.framesDir ?? frames.directory) + "/frame_*.png")
        }
        return outcome
    }

    /// A stop that cannot wait (a third signal): keeps what is whole (the video up to its last whole
    /// fragment, or as it was when it was being continued; every finished frame file) and removes the
    /// temporaries. Only system calls, safe while other threads are inside the sinks.
    public func abandon() -> String {
        removeProbe()
        let video = mp4?.abandonKeepingWhatIsWhole()
        frames?.abandonFrameInProgress()
        animated?.cancel()
        if let t = checkpointFile?.temporary { unlink(t) }
        unlink(settingsFile.temporary)
        var kept: [String] = []
        if let mp4, let video {
            switch video {
            case .finished: kept.append("\(mp4.path) was finished")
            case .asBefore: kept.append("\(mp4.path) is as it was before this run")
            case .wholeFragments: kept.append("\(mp4.path) keeps the frames written whole so far (it plays)")
            case .nothing: kept.append("no video was kept (no part of it was whole yet)")
            }
        }
        if let frames { kept.append("the frame files finished are kept in \(frames.directory)") }
        return kept.joined(separator: "; ") + "; no checkpoint was saved in this run"
    }
}

extension OpenOutputs.Outcome {
    /// The shell command that continues the render: the one typed, with --resume.
    public static func resumeCommand(_ settings: RenderSettings) -> String {
        ([CommandLine.arguments.first ?? "dreamvideo"] + settings.command + ["--resume"]).map(shellQuoted).joined(separator: " ")
    }

    public static func shellQuoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Where the frames are and how to go on, for a render that stopped before its end.
    /// `fix`: what to do first (a stop forced by a write error is continued once its cause is gone).
    public func stopReport(settings: RenderSettings, fix: String? = nil) -> String {
        let of = total.map { " of \($0)" } ?? ""
        guard !present.isEmpty else {
            return "stopped after frame \(frames)\(of); nothing could be kept: \(summary) no longer exist\(summary.contains(" and ") ? "" : "s")"
        }
        let where_ = present.joined(separator: " and ")
        var text = "stopped after frame \(frames)\(of); \(where_) hold\(present.count > 1 ? "" : "s") frames 1-\(frames)"
        if let v = videoFrames, v != frames { text += " (the video only the first \(v))" }
        if layout == .fragmented { text += "; the video is a fragmented MP4 (it plays; there was no room to rewrite it with its index first)" }
        if let checkpoint {
            text += ". To continue, \(fix.map { $0 + ", then " } ?? "")run: \(Self.resumeCommand(settings)) (checkpoint: \(checkpoint))"
        } else {
            text += ". It cannot be resumed; render again with --overwrite"
        }
        return text
    }
}
