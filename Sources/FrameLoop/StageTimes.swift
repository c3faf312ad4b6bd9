import Foundation
import Imaging
import Schedule

/// Where a render's time goes, stage by stage (`--profile`): each stage's wall time added up, the
/// process's CPU time, and from both how busy the cores were. Stages run one after another on the
/// render's thread, so their times add up to the render's wall time (less `other`).
public final class StageTimes: @unchecked Sendable {
    public enum Stage: String, CaseIterable, Sendable {
        /// The whole dream of a frame (octaves and steps); `network` is the part of it in the network.
        case dream
        /// Camera moves: the Lanczos warp, the soft outside, the cadence blends.
        case resample
        case sharpen
        case colour
        /// Writing the frames: the MP4 encoder (FFmpeg) and the PNG files.
        case write
    }

    private var seconds: [Stage: Double] = [:]
    /// The process's CPU seconds during each stage (every thread's): against the wall time, how many
    /// cores a stage kept busy, which tells a serial stage from a host that is busy elsewhere.
    private var cpuSeconds: [Stage: Double] = [:]
    private let clock = ContinuousClock()
    private let began: ContinuousClock.Instant
    private let cpuAtStart: Double

    public init() {
        began = clock.now
        cpuAtStart = Self.processCPUSeconds()
    }

    public func time<T>(_ stage: Stage, _ body: () throws -> T) rethrows -> T {
        let t0 = clock.now
        let c0 = Self.processCPUSeconds()
        defer {
            let (s, atto) = (clock.now - t0).components
            seconds[stage, default: 0] += Double(s) + Double(atto) * 1e-18
            cpuSeconds[stage, default: 0] += Self.processCPUSeconds() - c0
        }
        return try body()
    }

    public func seconds(_ stage: Stage) -> Double { seconds[stage] ?? 0 }
    public func cpuSeconds(_ stage: Stage) -> Double { cpuSeconds[stage] ?? 0 }

    /// `sink`'s writes timed as `write`.
    public func timing(_ sink: FrameSink) -> FrameSink { TimedSink(base: sink, stage: .write, stages: self) }

    /// "per frame: network 2.10 s, ..." over `frames` frames; `network` is the seconds spent in the network.
    public func report(frames: Int, network: Double) -> String {
        let (s, atto) = (clock.now - began).components
        let wall = Double(s) + Double(atto) * 1e-18
        let n = Double(max(1, frames))
        let cpu = Self.processCPUSeconds() - cpuAtStart
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        var parts = [("network", network), ("dream outside the network", seconds(.dream) - network)]
        for stage in [Stage.resample, .sharpen, .colour, .write] { parts.append((stage.rawValue, seconds(stage))) }
        parts.append(("other", wall - Stage.allCases.reduce(0) { $0 + seconds($1) }))
        let list = parts.map { String(format: "%@ %.3f s", $0.0, $0.1 / n) }.joined(separator: ", ")
        let cpuList = Stage.allCases.map { String(format: "%@ %.3f s", $0.rawValue, cpuSeconds($0) / n) }.joined(separator: ", ")
        return String(format: "profile: %d frames, %.3f s a frame; per frame: %@; CPU %.2f of %.0f cores busy (idle %.2f core-seconds a frame); CPU per frame: %@",
                      frames, wall / n, list, cpu / max(wall, 1e-9), cores, max(0, cores * wall - cpu) / n, cpuList)
    }

    /// User and system CPU time of the whole process (every thread: oneDNN's, x264's).
    static func processCPUSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
    }
}

/// A sink whose writes are timed as one stage.
final class TimedSink: FrameSink {
    let base: FrameSink
    let stage: StageTimes.Stage
    let stages: StageTimes

    init(base: FrameSink, stage: StageTimes.Stage, stages: StageTimes) {
        self.base = base; self.stage = stage; self.stages = stages
    }

    func write(_ frame: FloatImage) throws { try stages.time(stage) { try base.write(frame) } }
    func finish() throws { try stages.time(stage) { try base.finish() } }
}
