import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Schedule

/// What `dream` was asked for: the parsed option values as plain Swift values.
@dynamicMemberLookup
public struct DreamRequest: HoldsStillRequest {
    public var still: StillRequest
    /// The layer, optionally with channels ("mixed_5:12,40"); nil: the network's default.
    public var layer: String?
    /// nil: the input's size, at most `StillSize.maxSide` on its longer side.
    public var size: OutputSize?
    public var guide: String?

    public init(input: String, output: String) { still = StillRequest(input: input, output: output) }
}

/// One picture dreamed once, as a video's first frame would be: checked and set up before any
/// dreaming, in the order the mistakes are reported.
public struct DreamPlan {
    public var output: StillOutput
    public var start: FloatImage
    public var network: Network
    public var segment: ResolvedSchedule.Segment
    public var seed: UInt64

    /// `notice` is told, when it is known, that the picture's size was changed (a line of its own).
    public init(request r: DreamRequest, notice: (String) -> Void = { _ in }) throws {
        output = try StillOutput(path: r.output, overwrite: r.overwrite, reads: [ReadFile(option: "the input", path: r.input)]
                                     + (r.guide.map { [ReadFile(option: "--guide", path: $0)] } ?? []))
        try EngineChoice.checkModel(r.model)
        let image = try ImageDecoder().decode(path: r.input)
        let guideImage = try r.guide.map { try ImageDecoder().decode(path: $0) }
        if let size = r.size {
            start = image.coverCropped(width: size.width, height: size.height)
        } else {
            let kept = StillSize.kept(image, name: r.input)
            start = kept.image
            if let note = kept.note { notice(note) }
        }
        network = try EngineChoice.network(r.model, threads: try EngineChoice.threads(r.threads), precision: r.precision)
        let spec = r.layer ?? network.model.defaultLayer
        segment = try resolveSchedule(Self.schedule(spec, settings: r.settings), on: network, guide: guideImage,
                                      width: start.width, height: start.height).segments[0]
        seed = r.seed
    }

    /// The one-frame schedule that dreams `spec` ("mixed_4", "mixed_5:12,40") with `settings`: the same
    /// parsing, checks and objective as a video's --layer (dream and gallery).
    public static func schedule(_ spec: String, settings: Overrides) throws -> Schedule {
        var o = settings
        o.layer = spec
        o.frames = 1
        return try Schedule.single(layer: spec, frames: 1).applying(o)
    }
}

/// `schedule` resolved on `network`, guided by `guide`, each segment's channels checked at
/// `width` x `height`: one place for renders, videos, dream and gallery.
func resolveSchedule(_ schedule: Schedule, on network: Network, guide: FloatImage?, width: Int, height: Int) throws -> ResolvedSchedule {
    var resolved = try schedule.resolved(for: network)
    if let guide { resolved = try resolved.guided(by: guide, network: network) }
    for segment in resolved.segments {
        try network.checkChannels(of: segment.objective, height: height, width: width)
    }
    return resolved
}
