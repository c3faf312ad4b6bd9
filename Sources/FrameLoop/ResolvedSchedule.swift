import Imaging
import Net
import Schedule

/// A schedule checked against a network: per segment, the objective to maximise and the settings,
/// with frame numbers (from 1) laid out end to end.
public struct ResolvedSchedule: Sendable, Equatable {
    public struct Segment: Sendable, Equatable {
        public var objective: Objective
        public var settings: SegmentSettings
        public var frames: Int
        /// Number of this segment's first frame, counting from 1.
        public var firstFrame: Int
        public var layerDescription: String

        public var lastFrame: Int { firstFrame + frames - 1 }
    }

    public var network: String
    public var segments: [Segment]

    public var totalFrames: Int { segments.last.map(\.lastFrame) ?? 0 }

    /// The segment that frame `frame` (1...totalFrames) belongs to.
    public func segment(forFrame frame: Int) -> Segment {
        segments[segmentIndex(forFrame: frame)]
    }

    /// What frame `frame` dreams toward: its segment's objective, or, in the last `transition` frames
    /// of a segment, a blend of it and the next segment's whose weights move step by step from the
    /// one to the other, so the dream morphs instead of jumping.
    public func objectives(forFrame frame: Int) -> ObjectiveBlend {
        let i = segmentIndex(forFrame: frame)
        let seg = segments[i]
        let k = min(seg.settings.transition, seg.frames)
        guard k > 0, i + 1 < segments.count else { return ObjectiveBlend([(seg.objective, 1)]) }
        let into = frame - (seg.lastFrame - k)   // 1...k in the transition, below 1 before it
        guard into >= 1 else { return ObjectiveBlend([(seg.objective, 1)]) }
        let t = Float(into) / Float(k + 1)
        return ObjectiveBlend([(seg.objective, 1 - t), (segments[i + 1].objective, t)])
    }

    public func segmentIndex(forFrame frame: Int) -> Int {
        precondition(frame >= 1 && frame <= totalFrames, "frame \(frame) is outside 1...\(totalFrames)")
        return segments.firstIndex { frame <= $0.lastFrame }!
    }
}

/// Objectives dreamed at once, each with a share (the shares add up to 1). Each one's gradient is
/// normalised on its own before they are mixed: layers differ in gradient size by orders of magnitude,
/// so mixing raw weights would jump from one layer to the other instead of fading.
public struct ObjectiveBlend: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var objective: Objective
        public var share: Float
    }
    public var parts: [Part]

    public init(_ parts: [(Objective, Float)]) {
        self.parts = parts.map { Part(objective: $0.0, share: $0.1) }
    }

    public init(_ objective: Objective) { self.init([(objective, 1)]) }
}

extension Schedule {
    /// Checked against the network and turned into per-segment objectives: what the frame loop runs.
    public func resolved(for network: DreamNetwork) throws(ScheduleError) -> ResolvedSchedule {
        try resolved(layers: network.layers, network: network.name)
    }

    public func resolved(layers: [String], network: String) throws(ScheduleError) -> ResolvedSchedule {
        try validate(layers: layers, network: network)
        var first = 1
        var out: [ResolvedSchedule.Segment] = []
        for seg in segments {
            let objective = Objective(terms: seg.layers.map { Objective.Term(layer: $0.name, weight: $0.weight, channels: $0.channels) })
            out.append(ResolvedSchedule.Segment(objective: objective, settings: seg.settings, frames: seg.frames,
                                                firstFrame: first, layerDescription: seg.layerDescription))
            first += seg.frames
        }
        return ResolvedSchedule(network: network, segments: out)
    }
}
