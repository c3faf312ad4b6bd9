import Foundation
import Imaging
import Media
import Schedule

/// -o out.gif / out.webp: the file type comes from the extension, checked before any work.
extension Outputs {
    /// The animation format -o names by its extension (nil: an MP4).
    public var animation: AnimatedSink.Format? { mp4.flatMap(AnimatedSink.Format.init(path:)) }
}

public enum AnimatedOutputError: Error, CustomStringConvertible {
    case mp4Only(option: String, path: String, format: AnimatedSink.Format)
    case noResume(path: String)
    case tooLarge(path: String, frames: Int, width: Int, height: Int, bytes: Int?)

    public var description: String {
        switch self {
        case let .mp4Only(option, path, format):
            return "\(option) applies to MP4 output only, and -o \(path) writes \(format == .gif ? "a" : "an") \(format.name); leave out \(option) or write an MP4 (-o out.mp4)"
        case let .noResume(path):
            return "--resume needs an MP4 or a frame folder: -o \(path) is written whole at the end; render again with --overwrite"
        case let .tooLarge(path, frames, w, h, bytes):
            let gb = bytes.map { String(format: "%.1f GB", Double($0) / 1e9) } ?? "more memory than there is"
            return "-o \(path): a GIF keeps all \(frames) frames of \(w)x\(h) in memory until its palette is made (\(gb), more than 2 GB); "
                + "give fewer --frames or a smaller --size, or write an animated WebP or an MP4"
        }
    }
}

extension RenderRequest {
    /// MP4-only options given with -o x.gif / x.webp: one line before any work. The defaults cannot be
    /// told from the same value typed, so an option set to something else than its default (the
    /// encoder's, `MP4Sink.Options()`) is refused.
    public func checkAnimatedOutput() throws {
        guard let path = output, let format = AnimatedSink.Format(path: path) else { return }
        let defaults = MP4Sink.Options()
        let mp4Only: [(String, Bool)] = [
            ("--codec", codec != defaults.codec), ("--crf", crf != defaults.crf), ("--preset", preset != defaults.preset),
            ("--chroma", chroma != defaults.chroma), ("--audio", audio),
        ]
        if let given = mp4Only.first(where: { $0.1 }) {
            throw AnimatedOutputError.mp4Only(option: given.0, path: path, format: format)
        }
        if resume { throw AnimatedOutputError.noResume(path: path) }
    }
}

extension Outputs {
    /// Refuses a GIF whose frames would not fit in what the sink keeps (`AnimatedSink.maxKeptBytes`,
    /// 2 GiB: 1900 frames at 640x360).
    public func checkAnimationMemory(frames: Int, size: OutputSize) throws {
        guard let format = animation, let path = mp4 else { return }
        let bytes = AnimatedSink.memoryNeeded(format: format, frames: frames, width: size.width, height: size.height)
        guard let bytes, bytes <= AnimatedSink.maxKeptBytes else {
            throw AnimatedOutputError.tooLarge(path: path, frames: frames, width: size.width, height: size.height, bytes: bytes)
        }
    }
}

extension OpenOutputs.Outcome {
    /// "640x360, 1.9 MB" for the file at `path`, for the line that ends a render.
    public static func sizeNote(path: String?, size: String) -> String? {
        guard let path else { return nil }
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let bytes = Double(st.st_size)
        let text = bytes >= 1e6 ? String(format: "%.1f MB", bytes / 1e6) : String(format: "%.0f kB", bytes / 1e3)
        return "\(size), \(text)"
    }
}
