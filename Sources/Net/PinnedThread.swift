import Foundation

/// A thread that runs its owner's jobs one at a time, always on the same OS thread. oneDNN 2.6's
/// library-managed scratchpad is per thread and is sized when a primitive is created: a primitive
/// run on another thread than the one that built it read a null scratchpad and crashed (seen with
/// DispatchQueue.concurrentPerform, whose iterations move between worker threads).
final class PinnedThread: @unchecked Sendable {
    private final class Mailbox: @unchecked Sendable {
        let start = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        var job: (() -> Void)?
        var stop = false
    }
    private let mailbox = Mailbox()

    init() {
        let m = mailbox
        let thread = Thread {
            while true {
                m.start.wait()
                if m.stop { return }
                m.job?()
                m.job = nil
                m.done.signal()
            }
        }
        // oneDNN's kernels and the engine's recursion want more than a secondary thread's default stack.
        thread.stackSize = 16 << 20
        thread.start()
    }

    deinit {
        mailbox.stop = true
        mailbox.start.signal()
    }

    /// Starts `job` on the thread; `wait()` returns when it is done.
    func start(_ job: @escaping () -> Void) {
        mailbox.job = job
        mailbox.start.signal()
    }

    func wait() { mailbox.done.wait() }
}
