import Dispatch
import Foundation

/// Ctrl-C (SIGINT), SIGTERM and SIGHUP (the terminal closed) during a render. The first asks the
/// render to stop after the frame in progress (it then finalises its outputs and saves a checkpoint);
/// a second stops at once, after `stopNow` has removed the temporaries, so that no half-written file
/// survives either way.
///
/// The signals are received by a dispatch source on its own queue, not in a signal handler, so the
/// handlers may take a lock and call anything; the state is owned by this object, not a global.
final class Interrupt: @unchecked Sendable {
    private let lock = NSLock()
    private var received: [Int32] = []
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "dreamvideo.signals")
    private let firstNotice: @Sendable (Int32) -> Void
    private let stopNow: @Sendable (Int32) -> Void

    /// `firstNotice` tells the person what will happen; `stopNow` must not return (it ends the process).
    init(firstNotice: @escaping @Sendable (Int32) -> Void, stopNow: @escaping @Sendable (Int32) -> Void) {
        self.firstNotice = firstNotice
        self.stopNow = stopNow
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
        if count == 1 { firstNotice(sig) } else if count == 2 { stopNow(sig) }
    }
}

extension Interrupt {
    /// A render's: the first signal stops after the frame in progress, the second at once, removing
    /// the outputs' temporaries so that no half-written file survives.
    static func stoppingAfterFrame(removing outputs: Outputs) -> Interrupt {
        Interrupt(
            firstNotice: { _ in
                FileHandle.standardError.write(Data("\nstopping after this frame; press Ctrl-C again to stop at once (the frame in progress is lost)\n".utf8))
            },
            stopNow: { sig in
                outputs.removeTemporaries()
                FileHandle.standardError.write(Data("\nstopped at once; the frames finished earlier are kept\n".utf8))
                _exit(128 + sig)
            })
    }
}
