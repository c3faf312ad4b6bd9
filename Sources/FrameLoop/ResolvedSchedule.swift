import Net

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

    public func segmentIndex(forFrame frame: Int) -> Int {
        precondition(frame >= 1 && frame <= totalFrames, "frame \(frame) is outside 1...\(totalFrames)")
        return segments.firstIndex { frame <= $0.lastFrame }!
    }
}
