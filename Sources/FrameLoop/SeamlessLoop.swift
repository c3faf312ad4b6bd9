import Foundation
import Imaging
import Schedule

/// `--loop`: a video that plays on repeat without a jump. Frame 1 follows the last frame as if the
/// camera moved once more, so the last frames lead into frame 1: each of the last `fadeFrames`
/// frames is blended (more and more, to all of it at the last frame) toward frame 1 moved back by the
/// camera steps still to come before the wrap. With a zoom in, frame 1 appears small in the middle and
/// grows, the dream around it; one more camera step after the last frame shows exactly frame 1.
public struct SeamlessLoop: Sendable, Equatable {
    /// Frames in the video.
    public var totalFrames: Int
    /// The last this-many frames lead into frame 1.
    public var fadeFrames: Int

    /// The fewest frames a loop takes: 4 of them lead back, 4 dream freely.
    public static let minimumFrames = 8

    /// A quarter of the video leads back, at least 4 frames and at most 90 (3 s at 30 fps): a short
    /// fade looks like a cut, a long one spends the video on the way back.
    public init(totalFrames: Int) {
        precondition(totalFrames >= Self.minimumFrames, "a loop needs \(Self.minimumFrames) frames")
        self.totalFrames = totalFrames
        self.fadeFrames = min(90, max(4, totalFrames / 4))
    }

    /// How far frame `n` is blended toward frame 1 moved back: 0 before the fade, rising smoothly to 1
    /// at the last frame.
    public func share(atFrame n: Int) -> Float {
        let into = n - (totalFrames - fadeFrames)
        if into <= 0 { return 0 }
        let t = Double(into) / Double(fadeFrames)
        return Float(t * t * (3 - 2 * t))
    }

    /// The camera step from the last frame back to frame 1: the last frame's move continued.
    public static func closingMove(_ schedule: ResolvedSchedule) -> Camera {
        let n = schedule.totalFrames
        return schedule.segment(forFrame: n).settings.camera(forFrame: n + 1)
    }

    /// Where a point of frame `n` appears in frame 1 once the camera has made the moves after frame n
    /// and the closing move (output from source).
    public func motion(fromFrame n: Int, schedule: ResolvedSchedule, width: Int, height: Int) -> Imaging.AffineTransform {
        let m = n < totalFrames ? schedule.motion(overFrames: (n + 1)...totalFrames, width: width, height: height) : .identity
        return Self.closingMove(schedule).outputFromSource(width: width, height: height).after(m)
    }

    /// Frame `n` led toward `first` (frame 1). Inside the area that becomes frame 1 it takes frame 1
    /// moved back. The blend's edge is soft: early in the fade it ramps up over a wide band inside that
    /// area (20% of the shorter side, so frame 1 surfaces from the dream rather than as a framed picture),
    /// a band that narrows to nothing by the last frame; always over a narrow band (3%) just outside the
    /// area, where the mirrored continuation of frame 1 is smooth. So by the last frame nothing of the
    /// dream is left inside frame 1's area and the wrap has no jump.
    public func led(_ frame: FloatImage, frame n: Int, first: FloatImage, schedule: ResolvedSchedule) -> FloatImage {
        let t = share(atFrame: n)
        if t == 0 { return frame }
        precondition(first.width == frame.width && first.height == frame.height)
        let w = frame.width, h = frame.height, plane = w * h
        let m = motion(fromFrame: n, schedule: schedule, width: w, height: h)
        let kernel = Self.closingMove(schedule).kernel
        // Frame 1 smaller than a pixel here (a fast zoom, a long fade): nothing of it to lead toward yet.
        guard var target = first.warpedShrinking(m, kernel: kernel) else { return frame }
        if n == totalFrames { target = Self.refined(target, toward: first, motion: m, kernel: kernel) }
        // The bands, in this frame's pixels converted into frame 1's.
        let scale = sqrt(abs(m.determinant)), side = Double(min(w, h))
        let outer = max(2, 0.03 * side) * scale
        let inner = Double(1 - t) * 0.2 * side * scale
        var out = frame
        out.pixels.withUnsafeMutableBufferPointer { o in
            target.pixels.withUnsafeBufferPointer { g in
                for y in 0..<h {
                    for x in 0..<w {
                        let s = m.apply(x: Double(x) + 0.5, y: Double(y) + 0.5)
                        let inside = min(s.x, s.y, Double(w) - s.x, Double(h) - s.y)
                        let a = t * Float(min(1, max(0, (inside + outer) / (outer + inner))))
                        if a == 0 { continue }
                        let i = y * w + x
                        for c in 0..<3 { let j = c * plane + i; o[j] += a * (g[j] - o[j]) }
                    }
                }
            }
        }
        return out
    }

    /// The last frame's picture of frame 1, corrected so that the closing camera move turns it back into
    /// frame 1 rather than a softer copy: moving frame 1 back shrinks it (a low-pass), and the move
    /// forward resamples again, so frame 1's finest detail was lost across the wrap. Three rounds of
    /// back-projection (add back, moved back, what the forward move still misses) restore it.
    /// Measured (LoopCommandTests, 128x96, zoom 1.05, fire3): the wrap's step went from 2.81 to
    /// 1.72 against a median step of 2.51.
    static func refined(_ picture: FloatImage, toward first: FloatImage, motion m: Imaging.AffineTransform,
                        kernel: ResamplingKernel) -> FloatImage {
        var out = picture
        let forward = m.inverse
        for _ in 0..<3 {
            let missed = first.subtracting(out.warped(forward, kernel: kernel))
            out.add(missed.warped(m, kernel: kernel))
            out.clamp()
        }
        return out
    }
}
