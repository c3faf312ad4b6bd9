import Dispatch
import Foundation
import Render

/// Ctrl-C (SIGINT), SIGTERM and SIGHUP (the terminal closed) during a render. The first asks the
/// render to stop after the frame in progress (it then finalises its outputs and saves a checkpoint);
/// the second drops the frame in progress and finishes the outputs with the frames done (a terminal
/// that closes can send SIGHUP twice: that must not cost the video); only a third stops at once.
///
/// The signals are received by a dispatch source on its own queue, not in a signal handler, so the
/// handlers may take a lock and call anything; the state is owned by this object, not a global.
final class Interrupt: @unchecked Sendable {
    private let lock = NSLock()
    private var received: [Int32] = []
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "dreamvideo.signals")
    private let firstNotice: @Sendable (Int32) -> Void
    private let second: @Sendable (Int32) -> Void
    private let third: @Sendable (Int32) -> Void

    /// `firstNotice` tells the person what will happen; `second` must return quickly (it starts the
    /// work on a thread of its own, so that a third signal is still heard); `third` ends the process.
    init(firstNotice: @escaping @Sendable (Int32) -> Void, second: @escaping @Sendable (Int32) -> Void,
         third: @escaping @Sendable (Int32) -> Void) {
        self.firstNotice = firstNotice
        self.second = second
        self.third = third
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            // Ignored by the kernel, seen by the dispatch source (which watches with signalfd/kqueue-like means).
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [weak self, source] in
                // Two signals in quick succession can arrive as one event with data 2.
                for _ in 0..<max(1, Int(source.data)) { self?.receive(sig) }
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for s in sources { s.cancel() }
    }

    /// Puts the default actions back (the render is over: a Ctrl-C now should simply end the process).
    func uninstall() {
        for s in sources { s.cancel() }
        sources = []
        for sig in [SIGINT, SIGTERM, SIGHUP] { signal(sig, SIG_DFL) }
    }

    /// True once a stop was asked for.
    var requested: Bool { lock.withLock { !received.isEmpty } }

    /// The first signal received, for the exit status (128 + signal, as a shell reports it).
    var firstSignal: Int32? { lock.withLock { received.first } }

    private func receive(_ sig: Int32) {
        let count = lock.withLock { received.append(sig); return received.count }
        switch count {
        case 1: firstNotice(sig)
        case 2: second(sig)
        case 3: third(sig)
        default: break
        }
    }
}

extension Interrupt {
    /// A render's: the first signal stops after the frame in progress; the second drops it and
    /// finishes `outputs` with the frames done (checkpoint included) from another thread, then ends
    /// the process; the third ends it at once, keeping what is whole (OpenOutputs.abandon).
    static func stopping(_ outputs: OpenOutputs, finished: @escaping @Sendable (OpenOutputs.Outcome, Int32) -> Void) -> Interrupt {
        Interrupt(
            firstNotice: { _ in
                say("stopping after this frame; press Ctrl-C again to stop now, keeping the frames done (the frame in progress is lost)")
            },
            second: { sig in
                guard outputs.claimStop() else {
                    say("finishing the outputs; press Ctrl-C again to stop at once")
                    return
                }
                say("stopping now: the frame in progress is dropped; finishing the outputs (Ctrl-C again stops at once)")
                Thread.detachNewThread {
                    let outcome = outputs.close()
                    finished(outcome, sig)
                    _exit(128 + sig)
                }
            },
            third: { sig in
                let kept = outputs.abandon()
                say("stopped at once; \(kept)")
                _exit(128 + sig)
            })
    }

    private static func say(_ line: String) {
        FileHandle.standardError.write(Data(("\n" + line + "\n").utf8))
    }
}
