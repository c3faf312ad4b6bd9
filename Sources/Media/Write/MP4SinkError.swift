public enum MP4SinkError: Error, CustomStringConvertible, Equatable {
    case unknownCodec(String, valid: [String])
    case unknownPreset(String, valid: [String])
    case invalidOption(String)
    case encoderNotAvailable(String)
    case targetIsDirectory(path: String)
    case cannotCreateOutput(directory: String, reason: String)
    case encoderFailed(codec: String, reason: String)
    case emptyFrame(width: Int, height: Int)
    case sizeChanged(expected: String, got: String)
    case writeFailed(path: String, reason: String)
    /// A write failed while finishing: the whole fragments before it were kept under the target.
    case writeFailedKeeping(path: String, reason: String, frames: Int)
    case noFrames(path: String)
    case alreadyFinished
    case cannotContinue(previous: String, reason: String)
    case audio(source: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownCodec(name, valid):
            return "unknown video codec \"\(name)\"; use one of: \(valid.joined(separator: ", "))"
        case let .unknownPreset(name, valid):
            return "unknown encoder preset \"\(name)\"; use one of: \(valid.joined(separator: ", "))"
        case let .invalidOption(what):
            return "invalid MP4 option: \(what)"
        case let .encoderNotAvailable(name):
            return "encoder \(name) is not available in this FFmpeg build; choose libx264 or install an FFmpeg built with \(name)"
        case let .targetIsDirectory(path):
            return "cannot write video to \(path): it is a directory; give a file name such as \(path)/out.mp4"
        case let .cannotCreateOutput(directory, reason):
            return "cannot create output in \(directory): \(reason); check that the directory exists and is writable"
        case let .encoderFailed(codec, reason):
            return "\(codec) encoder failed: \(reason); try the default codec libx264 and preset medium"
        case let .emptyFrame(w, h):
            return "cannot encode a \(w)x\(h) frame: it is empty; frames need a width and height of at least 1"
        case let .sizeChanged(expected, got):
            return "frame size changed from \(expected) to \(got) in one video; every frame must have the same size"
        case let .writeFailed(path, reason):
            return "cannot write video \(path): \(reason); check free space and that the directory still exists"
        case let .writeFailedKeeping(path, reason, frames):
            return frames > 0
                ? "cannot finish video \(path): \(reason); it keeps the first \(frames) frames, which play"
                : "cannot write video \(path): \(reason); no frame could be kept; check free space and that the directory still exists"
        case let .noFrames(path):
            return "no frames were written to \(path), so no video was made; write at least one frame before finish()"
        case let .cannotContinue(previous, reason):
            return "cannot continue the video \(previous): \(reason)"
        case let .audio(source, reason):
            return "cannot keep the audio of \(source): \(reason)"
        case .alreadyFinished:
            return "MP4 output already finished or cancelled; create a new sink to write another video"
        }
    }
}
