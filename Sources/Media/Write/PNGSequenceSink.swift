import Foundation
import Imaging

/// Writes frames as DIR/frame_00001.png, frame_00002.png, ... (8-bit RGB, fast zlib setting).
///
/// Names have `digits` digits (at least 5, more when `lastIndex` needs them) so that they sort in
/// order; a frame past 10^digits - 1 gets a longer name, which printf-style patterns such as
/// ffmpeg's `frame_%05d.png` (see `pattern`) still read in order. `startIndex` lets a resumed render
/// continue the numbering; existing files of the same name are replaced.
///
/// The directory is created if missing, but not its parents: a missing parent is more likely a typo
/// than an intent, and creating a tree of directories by accident is worse than a clear error.
public final class PNGSequenceSink: FrameSink {
    public let directory: String
    public let digits: Int
    public private(set) var nextIndex: Int
    private var size: (width: Int, height: Int)?
    private var rgb: [UInt8] = []
    private var finished = false
    /// The frame being written (its temporary), for a stop from another thread that cannot wait.
    private let lock = NSLock()
    private var inProgress: String?

    public init(directory: String, startIndex: Int = 1, lastIndex: Int? = nil) throws {
        precondition(startIndex >= 0, "frame index must not be negative")
        self.directory = URL(fileURLWithPath: directory).path
        nextIndex = startIndex
        let widest = max(startIndex, lastIndex ?? 0)
        digits = max(5, String(widest).count)
        try Self.makeDirectory(self.directory)
    }

    /// The printf-style name pattern of the files, e.g. "frame_%05d.png".
    public var pattern: String { "frame_%0\(digits)d.png" }

    public func fileName(index: Int) -> String {
        let n = String(index)
        return "frame_" + String(repeating: "0", count: max(0, digits - n.count)) + n + ".png"
    }

    public func path(index: Int) -> String { directory + "/" + fileName(index: index) }

    public func write(_ frame: FloatImage) throws {
        if finished { throw PNGWriteError.alreadyFinished }
        guard frame.width > 0, frame.height > 0 else {
            throw PNGWriteError.emptyImage(width: frame.width, height: frame.height)
        }
        if let s = size, s != (frame.width, frame.height) {
            throw PNGWriteError.sizeChanged(expected: "\(s.width)x\(s.height)", got: "\(frame.width)x\(frame.height)")
        }
        if size == nil {
            size = (frame.width, frame.height)
            rgb = [UInt8](repeating: 0, count: 3 * frame.width * frame.height)
        }
        interleaveRGB8(frame, into: &rgb, paddedWidth: frame.width, paddedHeight: frame.height)
        try PNGWriter.write(rgb: rgb, width: frame.width, height: frame.height, to: path(index: nextIndex), fast: true,
                            writing: { [lock] file in lock.withLock { self.inProgress = file?.temporary } })
        nextIndex += 1
    }

    /// Encodes `frame` as `write` would and keeps nothing: no file is made. For timing what writing a
    /// frame costs before the first one is written (the render's forecast).
    public func encodeWithoutWriting(_ frame: FloatImage) throws {
        _ = try PNGWriter.encoded(rgb: PNGWriter.rgb(of: frame), width: frame.width, height: frame.height, fast: true,
                                  path: path(index: nextIndex))
    }

    /// Removes the temporary of a frame being written (never a finished frame): what a stop that
    /// cannot wait leaves behind is then only whole frames. Safe from any thread.
    public func abandonFrameInProgress() {
        if let t = lock.withLock({ inProgress }) { unlink(t) }
    }

    /// Every file is complete as soon as `write` returns; finishing only refuses further frames.
    public func finish() throws { finished = true }

    static func makeDirectory(_ dir: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            if !isDir.boolValue { throw PNGWriteError.notADirectory(path: dir) }
            return
        }
        let parent = URL(fileURLWithPath: dir).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: parent) {
            throw PNGWriteError.parentMissing(directory: dir, parent: parent)
        }
        if mkdir(dir, 0o755) != 0 && errno != EEXIST {
            throw PNGWriteError.cannotCreateDirectory(path: dir, reason: String(cString: strerror(errno)))
        }
    }
}
