import Foundation

/// A thread that runs its owner's jobs one at a time, always on the same OS thread: each strip of a
/// SplitEngine keeps one thread (and its OpenMP state, one thread) for the life of the engine. oneDNN
/// 2.6.3's library-managed scratchpad crashed when a primitive ran on another thread than its
/// builder's (seen with DispatchQueue.concurrentPerform); primitives now get their scratchpad from us
/// (OpDescriptors.withAttr) and run on any thread, but a fixed thread per strip costs nothing.
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
