import Foundation
import Net

/// The network a render runs on: its thread count (one place for the range the command's
/// --threads is checked against), the model check and the loading.
public enum EngineChoice {
    public static let threadRange = 1...256

    /// Every core, at most the range's top.
    public static var defaultThreads: Int { min(threadRange.upperBound, ProcessInfo.processInfo.activeProcessorCount) }

    /// `given` (nil: every core), refused outside `threadRange`.
    public static func threads(_ given: Int?) throws -> Int {
        let n = given ?? defaultThreads
        guard threadRange.contains(n) else { throw RequestError.badThreads(n) }
        return n
    }

    /// Checks that `name` is a known model with its weights present, before any slow work.
    public static func checkModel(_ name: String) throws {
        _ = try ModelStore().entry(named: name)
    }

    /// The network `name` on `backend`, its weights read and checked.
    public static func network(_ name: String, backend: BackendKind = .onednn, threads: Int, precision: Precision,
                               store: ModelStore = ModelStore()) throws -> Network {
        try Network(model: try store.load(name: name), backend: backend, threads: threads, precision: precision)
    }
}
