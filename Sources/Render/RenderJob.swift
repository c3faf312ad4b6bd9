import Foundation
import Media

/// A render set up from its request: a still image's (RenderPlan) or a video's (VideoInputPlan),
/// told by the input's content, not its name (a video renamed .jpg is still a video).
public enum RenderJob {
    case still(RenderPlan)
    case video(VideoInputPlan)
}

extension RenderRequest {
    /// Every check of the request, then the plan that runs it; the options that do not apply to
    /// this kind of input are refused first.
    public func plan() throws -> RenderJob {
        try checkAnimatedOutput()
        if VideoReader.isVideo(path: input) {
            try refuseForVideo()
            _ = try readMusic(isVideoInput: true)
            return .video(try VideoInputPlan(request: self))
        }
        try refuseVideoOptionsForImage()
        return .still(try RenderPlan(request: self))
    }
}
