import Foundation
import Imaging
import Schedule

/// `--mask`: where the picture dreams and where it keeps the start image. The mask's brightness
/// decides (white dreams, black keeps, grey in between; a transparent pixel counts as white, so a
/// logo-shaped PNG with opaque black lettering keeps the lettering). It moves with the camera: at
/// frame n the kept parts show the start image moved by the camera's accumulated motion, resampled
/// once from the start image (so no drift and no colour pull there), and the mask moved the same way.
public struct DreamMask: Sendable, Equatable {
    /// How much each pixel dreams, 0 (keep) ... 1 (dream), feathered, one plane of the output's size.
    public let weight: [Float]
    /// The start image at the output's size: what the kept parts show, moved by the camera.
    public let start: FloatImage

    public var width: Int { start.width }
    public var height: Int { start.height }

    /// The feather's Gaussian sigma: 0.5% of the shorter side, at least 1 pixel (1.8 px at 640x360).
    /// A hard edge shows the network's patterns cut off along a line; two or three pixels of blend hide it.
    public static func featherSigma(width: Int, height: Int) -> Double {
        max(1, 0.005 * Double(min(width, height)))
    }

    /// `mask` already at the output's size (see `fitted`), `start` the start image at that size.
    public init(mask: FloatImage, start: FloatImage) {
        precondition(mask.width == start.width && mask.height == start.height, "the mask must have the start image's size")
        let soft = mask.blurred(sigma: Self.featherSigma(width: mask.width, height: mask.height))
        let plane = mask.width * mask.height
        var w = [Float](repeating: 0, count: plane)
        soft.pixels.withUnsafeBufferPointer { p in
            for i in 0..<plane {
                // Rec. 709 luma of the stored values.
                let y = 0.2126 * p[i] + 0.7152 * p[plane + i] + 0.0722 * p[2 * plane + i]
                w[i] = min(1, max(0, y / 255))
            }
        }
        self.weight = w
        self.start = start
    }

    /// The mask for an input of `inputWidth` x `inputHeight` rendered at `width` x `height`: scaled and
    /// cropped exactly as the input is (`coverCropped`), so each of its pixels stays on the input's pixel
    /// it was drawn for. A mask of the input's aspect ratio (to within one pixel of the input's size)
    /// may have any size; one of another shape would be stretched or cut, so it is refused.
    public static func fitted(_ mask: FloatImage, inputWidth: Int, inputHeight: Int,
                              width: Int, height: Int) throws(MaskError) -> FloatImage {
        // Would the mask, scaled to the input's width, have the input's height to within a pixel (and
        // the same the other way round)? Products of sides <= 16384: no overflow.
        let tallerBy = abs(mask.height * inputWidth - inputHeight * mask.width)
        if tallerBy > max(mask.width, inputWidth) || tallerBy > max(mask.height, inputHeight) {
            throw .otherShape(mask: (mask.width, mask.height), input: (inputWidth, inputHeight))
        }
        return mask.coverCropped(width: width, height: height)
    }

    /// `frame` with the kept parts replaced by the start image seen through `motion` (where the camera
    /// has taken the start image's content by frame n: output from source, see `ResolvedSchedule.motion`).
    /// `strength` 0...1 scales the keeping: 0 lets everything dream. Returns `frame` itself at strength 0,
    /// and once the camera has shrunk the start image below a pixel or blown one of its pixels up past a
    /// million (nothing of it is left to keep; a million times further the numbers would no longer be finite).
    public func applied(to frame: FloatImage, motion: Imaging.AffineTransform, strength: Double,
                        kernel: ResamplingKernel) -> FloatImage {
        precondition(frame.width == width && frame.height == height)
        let s = Float(min(1, max(0, strength)))
        if s == 0 { return frame }
        let plane = width * height
        let kept: FloatImage
        let dreams: [Float]
        if motion == .identity {
            kept = start
            dreams = weight
        } else {
            let scale = sqrt(abs(motion.determinant))
            guard scale.isFinite, scale >= 1e-6, scale <= 1e6,
                  let moved = start.warpedShrinking(motion.inverse, kernel: kernel),
                  let movedWeight = warpedWeight(motion.inverse, kernel: kernel) else { return frame }
            kept = moved
            dreams = movedWeight
        }
        var out = frame
        out.pixels.withUnsafeMutableBufferPointer { o in
            kept.pixels.withUnsafeBufferPointer { k in
                for i in 0..<plane {
                    // Dreams fully where the mask is white; where black, by 1 - strength.
                    let d = 1 - s * (1 - dreams[i])
                    if d >= 1 { continue }
                    for c in 0..<3 { let j = c * plane + i; o[j] = k[j] + d * (o[j] - k[j]) }
                }
            }
        }
        return out
    }

    /// The weight moved by the camera (`sourceFromOutput`); where the move reveals area from outside
    /// the start image there is nothing to keep, so it dreams (weight 1).
    func warpedWeight(_ sourceFromOutput: Imaging.AffineTransform, kernel: ResamplingKernel) -> [Float]? {
        let w = width, h = height, plane = w * h
        // warped() takes three planes; the weight goes in the first (the other two cost a few ms at 640x360).
        var three = [Float](repeating: 0, count: 3 * plane)
        three.replaceSubrange(0..<plane, with: weight)
        guard let moved = FloatImage(width: w, height: h, pixels: three).warpedShrinking(sourceFromOutput, kernel: kernel) else { return nil }
        var out = Array(moved.pixels[0..<plane])
        for y in 0..<h {
            for x in 0..<w {
                let s = sourceFromOutput.apply(x: Double(x) + 0.5, y: Double(y) + 0.5)
                let i = y * w + x
                // Lanczos rings a little past 0...1 at the feathered edge.
                out[i] = s.x < 0 || s.y < 0 || s.x > Double(w) || s.y > Double(h) ? 1 : min(1, max(0, out[i]))
            }
        }
        return out
    }
}

/// A mask that cannot be used with this input.
public enum MaskError: Error, Equatable, CustomStringConvertible {
    case otherShape(mask: (Int, Int), input: (Int, Int))

    public static func == (l: MaskError, r: MaskError) -> Bool { l.description == r.description }

    public var description: String {
        switch self {
        case .otherShape(let m, let i):
            return "is \(m.0)x\(m.1), another shape than the input's \(i.0)x\(i.1); "
                + "give a mask of the input's aspect ratio (any size: it is scaled), e.g. \(i.0)x\(i.1)"
        }
    }
}

extension ResolvedSchedule {
    /// Where the camera has taken the start image's content by frame `frame` (output from source):
    /// every move from frame 2 to `frame` composed, for pictures `width` x `height`. Identity at frame 1
    /// (frame 1 is the start image dreamed, not moved). The same composition the frame loop applies
    /// step by step, but resampled once from the start: a kept part does not drift or soften.
    public func motion(toFrame frame: Int, width: Int, height: Int) -> Imaging.AffineTransform {
        frame < 2 ? .identity : motion(overFrames: 2...frame, width: width, height: height)
    }

    /// The camera moves into frames `frames` (each frame's move from the one before), composed in order
    /// (output from source), for pictures `width` x `height`.
    public func motion(overFrames frames: ClosedRange<Int>, width: Int, height: Int) -> Imaging.AffineTransform {
        var m = Imaging.AffineTransform.identity
        for k in frames {
            m = segment(forFrame: k).settings.camera(forFrame: k).outputFromSource(width: width, height: height).after(m)
        }
        return m
    }
}
