import Foundation

/// A file written under a hidden temporary name beside its target (`dir/.name.partial`) and renamed
/// onto the target only when complete, so an interrupted render never leaves a file that looks finished.
/// rename(2) within one directory is atomic: readers see the old target or the new one, never half.
struct PartialFile {
    let target: String
    let temporary: String

    init(target: String) {
        let url = URL(fileURLWithPath: target)
        self.target = url.path
        temporary = url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".partial").path
    }

    /// The directory that will hold the file (for error messages).
    var directory: String { URL(fileURLWithPath: target).deletingLastPathComponent().path }

    /// Moves the temporary onto the target; returns the reason on failure.
    func commit() -> String? {
        if rename(temporary, target) != 0 { return String(cString: strerror(errno)) }
        return nil
    }

    func discard() { unlink(temporary) }
}

/// The hidden temporary a sink writes `target` under until it is complete (for a caller that must
/// remove it when stopping at once, from another thread, without the sink's cooperation).
public func partialPath(for target: String) -> String { PartialFile(target: target).temporary }
