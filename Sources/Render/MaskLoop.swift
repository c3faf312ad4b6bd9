import Foundation
import FrameLoop
import Imaging
import Media
import Schedule

/// `--mask` and `--loop`: what a still image's render keeps of the start image, and whether its end
/// leads back into its start. The logic is FrameLoop's (`DreamMask`, `SeamlessLoop`); here the checks
/// and their messages.
extension RenderRequest {
    /// Neither applies to a video input (its frames are its own, and it ends where it ends).
    public func refuseForVideo() throws {
        if mask != nil { throw RequestError.notForVideo("--mask") }
        if loop { throw RequestError.notForVideo("--loop") }
    }

    /// The loop for a render of `totalFrames` frames, refused with one line when too short.
    func seamlessLoop(totalFrames: Int) throws -> SeamlessLoop? {
        guard self.loop else { return nil }
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

public enum MaskLoopError: Error, CustomStringConvertible {
    case maskUnreadable(String)
    case maskShape(path: String, reason: String)
    case loopTooShort(frames: Int)

    public var description: String {
        switch self {
        case .maskUnreadable(let why): return "--mask: \(why)"
        case .maskShape(let path, let reason): return "--mask \(path) \(reason)"
        case .loopTooShort(let frames):
            return "--loop needs at least \(SeamlessLoop.minimumFrames) frames (this render has \(frames)): "
                + "give --frames \(SeamlessLoop.minimumFrames) or more, or leave --loop out"
        }
    }
}
