import ArgumentParser
import Foundation
import FrameLoop
import Imaging
import Media
import Schedule

/// `dreamvideo metrics VIDEO`: figures that say whether a render kept its colour, sharpness and calm.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print colour, clipping, sharpness and flicker figures of a rendered video (MP4 or frame folder).",
        usage: "dreamvideo metrics <video> [--window <n>] [--zoom <zoom>] [--rotate <degrees>]",
        discussion: """
        Lightness (mean L*) and chroma (mean sqrt(a*^2+b*^2)) of the first and last frames and their \
        drift; the fraction of pixels with a channel at 0 or 255; sharpness (mean gradient magnitude of \
        the grey picture), last over first; palette: the intersection (0...1) of frame 1's 16x16 a*b* \
        histogram (-100...100) with each later frame's, over the last frames and the worst window of \
        as many consecutive frames; flicker: the mean change (0...255) from one frame to the \
        next after undoing the camera's zoom (estimated per frame pair unless --zoom is given). With \
        --source (the video a dreamed video was made from), dream flicker: the mean change per frame of \
        what the dream added (dreamed minus source), after following the source's own motion by optical \
        flow, so that a pan or a moving subject does not count.
        """)

    @Argument(help: "An MP4 (or any video FFmpeg reads) or a folder of frame PNGs.")
    var video: String

    @Option(name: .long, help: "Frames averaged at the start and at the end.")
    var window: Int = 30

    @Option(name: .long, help: "The camera's zoom per frame, if known (default: estimated per frame pair).")
    var zoom: Double?

    @Option(name: .long, help: "The camera's rotation per frame in degrees, for the flicker figure.")
    var rotate: Double = 0

    @Option(name: .long, help: ArgumentHelp(
        "The video a dreamed video was made from: adds the dream's own flicker, following the source's motion.",
        valueName: "video"))
    var source: String?

    mutating func run() throws {
        try reportingErrors {
            guard window >= 1 else { throw ValidationError("--window must be at least 1") }
            var metrics = VideoMetrics(zoom: zoom, rotation: rotate)
            var dreamFlicker = DreamFlicker()
            var palette = PaletteOverlap()
            let sources = try source.map { try VideoReader(path: $0).open() }
            let video = self.video, source = self.source
            try VideoReader(path: video).forEachFrame { frame in
                do { try metrics.add(frame) } catch let e as FrameSizeMismatch { throw FramesChangeSize(video: video, mismatch: e) }
                palette.add(frame)
                // Source frames are cover-cropped to the dreamed size, as the render did with them.
                if let sources, let source, let s = try sources.next() {
                    do {
                        try dreamFlicker.add(dreamed: frame, source: s.coverCropped(width: frame.width, height: frame.height))
                    } catch let e as FrameSizeMismatch { throw FramesChangeSize(video: source, mismatch: e) }
                }
            }
            guard let s = metrics.summary(window: window) else { throw VideoReadError.noFrames(path: video) }
            print(Self.report(s, name: video))
            if let p = palette.summary(window: window) { print(Self.report(p)) }
            if source != nil {
                print(String(format: "dream flicker   %.2f (mean change per frame of what the dream added, following the source's motion; dream strength %.2f)",
                             dreamFlicker.mean, dreamFlicker.meanStrength))
            }
        }
    }

    /// `palette (a*b*)   frame 1 vs last 30 0.62  worst 30-frame window 0.55 (frames 40-69)`.
    static func report(_ p: PaletteOverlap.Summary) -> String {
        String(format: "palette (a*b*)  frame 1 vs last %d %.3f  worst %d-frame window %.3f (frames %d-%d); histogram intersection, 1 = the same colours",
               p.window, p.last, p.window, p.worst, p.worstStart, p.worstStart + p.window - 1)
    }

    static func report(_ s: VideoMetrics.Summary, name: String) -> String {
        func f(_ v: Double, _ d: Int = 2) -> String { String(format: "%.\(d)f", v) }
        func pct(_ v: Double) -> String { String(format: "%.2f%%", 100 * v) }
        let k = s.window
        return """
        \(name): \(s.frames) frames; first = frames 1-\(k), last = frames \(s.frames - k + 1)-\(s.frames)
        lightness L*    first \(f(s.lightnessFirst))  last \(f(s.lightnessLast))  drift \(s.lightnessDrift >= 0 ? "+" : "")\(f(s.lightnessDrift))
        chroma          first \(f(s.chromaFirst))  last \(f(s.chromaLast))  last/first \(f(s.chromaRatio, 3))
        clipped pixels  first \(pct(s.clippedFirst))  last \(pct(s.clippedLast))  all \(pct(s.clippedAll))
        sharpness       first \(f(s.sharpnessFirst))  last \(f(s.sharpnessLast))  last/first \(f(s.sharpnessRatio, 3))
        flicker         \(f(s.flicker)) (mean change per frame after undoing a zoom of \(f(s.zoom, 4)))
        """
    }
}

/// `metrics` on a video (or frame folder) whose frames change size: one line that names the frame and
/// says what to do. Refused rather than rescaled, see VideoMetrics.add.
struct FramesChangeSize: Error, CustomStringConvertible {
    var video: String
    var mismatch: FrameSizeMismatch

    var description: String {
        let size = mismatch.expected
        var isFolder: ObjCBool = false
        let fix = FileManager.default.fileExists(atPath: video, isDirectory: &isFolder) && isFolder.boolValue
            ? "resize the frame files to one size (\(size)) first"
            : "scale it to one size first, e.g. ffmpeg -i \(video) -vf scale=\(size.width):\(size.height) same-size.mp4"
        return "\(video): \(mismatch); metrics compares each frame with the one before, so all frames must have one size: \(fix)"
    }
}
