
/// Flicker of a dreamed video against its source video: how much of what the dream added (dreamed
/// frame minus source frame) changes from one frame to the next once the source's own motion is
/// followed (optical flow between source frames; only where the flow is trusted, central 80%).
/// A pan or a moving subject is not counted, a dream that repaints its details every frame is. 0 for
/// a dream that moves with the picture and does not change.
public struct DreamFlicker: Sendable {
    public var opticalFlow = OpticalFlow()
    public private(set) var changes: [Double] = []
    /// Mean |dreamed - source| per frame: how strong the dream is (a stronger dream has more to flicker).
    public private(set) var strengths: [Double] = []
    private var previousSource: FloatImage?
    private var previousAdded: FloatImage?

    public init() {}

    /// The next frame pair; `source` must have the dreamed frame's size, and both the size of the
    /// pair before (else FrameSizeMismatch, and nothing is counted).
    public mutating func add(dreamed: FloatImage, source: FloatImage) throws {
        try FrameSizeMismatch.check(dreamed, source)
        if let ps = previousSource { try FrameSizeMismatch.check(ps, source, frame: strengths.count + 1) }
        let added = dreamed.subtracting(source)
        strengths.append(Double(added.pixels.reduce(Float(0)) { $0 + abs($1) }) / Double(max(1, added.pixels.count)))
        if let ps = previousSource, let pa = previousAdded {
            let backward = try opticalFlow.flow(from: source, to: ps)
            let forward = try opticalFlow.flow(from: ps, to: source)
            let trust = try OpticalFlow.reliability(backward: backward, forward: forward)
            let moved = try pa.warped(by: backward)
            let w = source.width, h = source.height, n = w * h
            var sum = 0.0, count = 0.0
            for y in (h / 10)..<(h - h / 10) {
                for x in (w / 10)..<(w - w / 10) where trust[y * w + x] > 0.5 {
                    for c in 0..<3 { sum += Double(abs(added.pixels[c * n + y * w + x] - moved.pixels[c * n + y * w + x])) }
                    count += 3
                }
            }
            if count > 0 { changes.append(sum / count) }
        }
        previousSource = source
        previousAdded = added
    }

    /// Mean over the frame pairs (0 with fewer than two frames).
    public var mean: Double { changes.isEmpty ? 0 : changes.reduce(0, +) / Double(changes.count) }
    public var meanStrength: Double { strengths.isEmpty ? 0 : strengths.reduce(0, +) / Double(strengths.count) }
}
