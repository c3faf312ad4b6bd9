import Imaging
import Schedule

/// Reported after each frame is written.
public struct FrameProgress: Sendable, Equatable {
    /// Counting from 1.
    public var frame: Int
    public var total: Int
    /// Index of the schedule segment this frame belongs to, from 0.
    public var segment: Int
    /// "mixed_3", or "mixed_4*1 + mixed_5*0.5".
    public var layers: String
    /// Wall-clock seconds this frame took (warp, dream, and writing it). With a cadence, most frames
    /// are camera-only and fast, and the dreamed one pays for its group: see `meanSeconds`.
    public var seconds: Double
    /// Mean seconds per frame since the render (or the resume) began.
    public var meanSeconds: Double
    /// Mean seconds per frame so far times the frames left.
    public var secondsLeft: Double

    public init(frame: Int, total: Int, segment: Int, layers: String, seconds: Double, meanSeconds: Double, secondsLeft: Double) {
        self.frame = frame; self.total = total; self.segment = segment; self.layers = layers
        self.seconds = seconds; self.meanSeconds = meanSeconds; self.secondsLeft = secondsLeft
    }
}

/// Where a frame's dream is: told before each gradient step, so that a long frame (seconds per
/// step at 1920x1080) shows it is moving.
public struct DreamStep: Sendable, Equatable {
    /// Counting from 1, smallest octave first.
    public var octave: Int, octaves: Int
    public var step: Int, steps: Int
    public init(octave: Int, octaves: Int, step: Int, steps: Int) {
        self.octave = octave; self.octaves = octaves; self.step = step; self.steps = steps
    }
}

extension Duration {
    /// As a Double, for per-frame times and forecasts.
    public var inSeconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
