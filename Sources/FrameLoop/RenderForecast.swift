import Imaging
import Net
import Schedule

/// How long a whole render will take, said before frame 1: the network's arithmetic over every
/// dream step of the schedule (counted from the graph, layer by layer and octave by octave), at the
/// speed one timed step shows on this machine now, plus the per-frame work outside the network
/// (resampling and the colour step), also timed once. Unlike `PreviewForecast` it needs no preview.
public struct RenderForecast: Sendable {
    /// FLOP of every dream step of the render.
    public var networkFLOP: Double
    /// Frames dreamed, and all frames.
    public var dreamedFrames: Int, frames: Int

    /// `cost(layer, height, width)`: the FLOP of one dream step to that layer at that size.
    /// `everyFrameDreamed`: a video input, where the cadence does not apply.
    public init(schedule: ResolvedSchedule, width: Int, height: Int, everyFrameDreamed: Bool = false,
                cost: (String, Int, Int) throws -> Double) rethrows {
        var cache: [String: Double] = [:]
        func stepFLOP(_ blend: ObjectiveBlend, _ w: Int, _ h: Int) throws -> Double {
            var total = 0.0
            for part in blend.parts where part.share > 0 {
                // Layers of one objective share the trunk: the deepest one's cost covers them.
                var deepest = 0.0
                for term in part.objective.terms {
                    let key = "\(term.layer) \(w)x\(h)"
                    let c = try cache[key] ?? cost(term.layer, h, w)
                    cache[key] = c
                    deepest = max(deepest, c)
                }
                total += deepest
            }
            return total
        }
        var flop = 0.0, dreamed = 0
        var frame = 1
        while frame <= schedule.totalFrames {
            let s = schedule.segment(forFrame: frame).settings
            let cadence = frame == 1 || everyFrameDreamed ? 1 : max(1, s.cadence)
            // A cadence group's dreamed frame is its last.
            let at = min(schedule.totalFrames, frame + cadence - 1)
            let d = schedule.segment(forFrame: at).settings.dream(forFrame: at)
            let blend = schedule.objectives(forFrame: at)
            for size in d.octaveSizes(width: width, height: height) {
                flop += Double(d.steps) * (try stepFLOP(blend, size.width, size.height))
            }
            dreamed += 1
            frame += cadence
        }
        networkFLOP = flop
        dreamedFrames = dreamed
        frames = schedule.totalFrames
    }

    /// Seconds for the render: `flopPerSecond` measured on one step, `secondsPerFrame` outside the
    /// network for every frame, `secondsPerDreamedFrame` more for each dreamed one.
    public func seconds(flopPerSecond: Double, secondsPerFrame: Double, secondsPerDreamedFrame: Double) -> Double {
        networkFLOP / max(1, flopPerSecond) + Double(frames) * secondsPerFrame + Double(dreamedFrames) * secondsPerDreamedFrame
    }

    /// Frames of the camera's walk from `start` that `writeProbe` encodes: enough for a video
    /// encoder's first (key) frame to be one of several.
    static let probeFrames = 6

    /// Times the network on frame 1's smallest octave (the second of two steps: the first builds the
    /// engine's primitives for that size) and the frame loop's per-frame work on `start`, and returns
    /// the forecast seconds. `writeProbe(frames)`: seconds writing one frame takes, timed on frames
    /// of the camera's walk from `start` without keeping them. Uses no randomness of the render: its
    /// frames stay the same.
    public func measure(network: DreamNetwork, schedule: ResolvedSchedule, start: FloatImage,
                        palette: ColourPalette?, cost: (String, Int, Int) throws -> Double,
                        writeProbe: ([FloatImage]) -> Double) throws -> Double {
        let clock = ContinuousClock()
        let segment = schedule.segment(forFrame: 1)
        let d = segment.settings.dream(forFrame: 1)
        guard let size = d.octaveSizes(width: start.width, height: start.height).first,
              let term = segment.objective.terms.first else { return 0 }
        let probe = start.resized(width: size.width, height: size.height)
        _ = try network.gradient(of: segment.objective, at: probe.tensor)
        let t0 = clock.now
        _ = try network.gradient(of: segment.objective, at: probe.tensor)
        let step = max(1e-6, (clock.now - t0).inSeconds)
        let flopPerSecond = try cost(term.layer, size.height, size.width) / step

        let camera = segment.settings.camera(forFrame: 2)
        let t1 = clock.now
        let moved = start.warped(camera.outputFromSource(width: start.width, height: start.height).inverse, kernel: camera.kernel)
            .sharpened(amount: segment.settings.sharpen)
        let perFrame = (clock.now - t1).inSeconds
        let t2 = clock.now
        if let palette, segment.settings.colourCoherence > 0 {
            _ = moved.colourPulled(toward: palette, strength: segment.settings.colourCoherence)
        }
        let perDreamed = (clock.now - t2).inSeconds
        // The walk's next frames, each the camera's move of the one before (no dream: an encoder
        // sees a zoom's change from frame to frame, a dream's texture it sees in `start`'s detail).
        var walk = [start, moved]
        let move = camera.outputFromSource(width: start.width, height: start.height).inverse
        while walk.count < Self.probeFrames { walk.append(walk[walk.count - 1].warped(move, kernel: camera.kernel)) }
        let perWrite = writeProbe(walk)
        return seconds(flopPerSecond: flopPerSecond, secondsPerFrame: perFrame + perWrite, secondsPerDreamedFrame: perDreamed)
    }
}
