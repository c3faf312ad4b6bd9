import ArgumentParser
import FrameLoop
import Imaging
import Media
import Schedule

/// `--mask` and `--loop`: what a still image's render keeps of the start image, and whether its end
/// leads back into its start. The logic is FrameLoop's (`DreamMask`, `SeamlessLoop`); here only
/// the options, their checks and their messages.
struct MaskLoopOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Dream only where this picture is white; keep the start image where it is black, grey in between (its brightness; transparent counts as white). It moves with the camera; the schedule's mask_strength (0...1, keyframable) fades it. Any size of the input's aspect ratio.",
        valueName: "mask.png"))
    var mask: String?

    @Flag(name: .long, help: "Make a video that loops without a jump: the last frames lead back into the first (at least 8 frames).")
    var loop = false

    /// Neither applies to a video input (its frames are its own, and it ends where it ends).
    func refuseForVideo() throws {
        if mask != nil { throw CommandError.notForVideo("--mask") }
        if loop { throw CommandError.notForVideo("--loop") }
    }

    /// The loop for a render of `totalFrames` frames, refused with one line when too short.
    func seamlessLoop(totalFrames: Int) throws -> SeamlessLoop? {
        guard loop else { return nil }
        if totalFrames < SeamlessLoop.minimumFrames { throw MaskLoopError.loopTooShort(frames: totalFrames) }
        return SeamlessLoop(totalFrames: totalFrames)
    }

    /// The mask read, checked against the input (`image`, as decoded) and fitted to the output's size.
    func decodedMask(input image: FloatImage, width: Int, height: Int) throws -> FloatImage? {
        guard let mask else { return nil }
        let picture: FloatImage
        do { picture = try ImageDecoder().decode(path: mask) } catch {
            throw MaskLoopError.maskUnreadable("\(error)")
        }
        do {
            return try DreamMask.fitted(picture, inputWidth: image.width, inputHeight: image.height, width: width, height: height)
        } catch {
            throw MaskLoopError.maskShape(path: mask, reason: error.description)
        }
    }
}

enum MaskLoopError: Error, CustomStringConvertible {
    case maskUnreadable(String)
    case maskShape(path: String, reason: String)
    case loopTooShort(frames: Int)

    var description: String {
        switch self {
        case .maskUnreadable(let why): return "--mask: \(why)"
        case .maskShape(let path, let reason): return "--mask \(path) \(reason)"
        case .loopTooShort(let frames):
            return "--loop needs at least \(SeamlessLoop.minimumFrames) frames (this render has \(frames)): "
                + "give --frames \(SeamlessLoop.minimumFrames) or more, or leave --loop out"
        }
    }
}
