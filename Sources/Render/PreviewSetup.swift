import Foundation
import FrameLoop
import Imaging
import Net
import Schedule

/// --preview: the whole schedule at half the width and half the height, lighter (see
/// Schedule.preview), into its own file, with a forecast of the full render's time.
extension RenderRequest {
    /// The outputs: with --preview and no -o, the default names with -preview, so the preview never
    /// stands in for (or blocks) the full render's files.
    public func previewOutputs(mp4: String?, framesDir: String?) -> (String?, String?) {
        guard preview, mp4 == nil else { return (mp4, framesDir) }
        var dir = framesDir
        while let d = dir, d.count > 1, d.hasSuffix("/") { dir = String(d.dropLast()) }
        let stem = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
        return (dir == nil ? stem + "-dream-preview.mp4" : nil, dir.map { $0 + "-preview" })
    }

    /// With --preview, the forecast: the full render's schedule (as the command line makes it) and size
    /// against the preview's. The dreaming work does not depend on a guide's channel choice.
    func previewEstimate(overrides: Overrides, network: DreamNetwork, fullSize: OutputSize,
                         preview resolved: ResolvedSchedule, previewSize: OutputSize, everyFrameDreamed: Bool = false) throws -> PreviewForecast? {
        guard preview else { return nil }
        let full = try PresetLocator().schedule(for: schedule, model: network.name, overrides: overrides).schedule.resolved(for: network)
        return PreviewForecast(full: full, fullSize: fullSize, preview: resolved, previewSize: previewSize,
                               everyFrameDreamed: everyFrameDreamed)
    }

    /// Half of each side, kept even and no smaller than the network's smallest input.
    public func previewSize(of size: OutputSize) throws -> OutputSize {
        let w = max(OutputSize.sides.lowerBound + 1, size.width / 2), h = max(OutputSize.sides.lowerBound + 1, size.height / 2)
        return try OutputSize(evenFrom: w, h)
    }
}

extension PreviewForecast {
    init(full: ResolvedSchedule, fullSize: OutputSize, preview: ResolvedSchedule, previewSize: OutputSize,
         everyFrameDreamed: Bool = false) {
        self.init(full: full, fullWidth: fullSize.width, fullHeight: fullSize.height, preview: preview,
                  previewWidth: previewSize.width, previewHeight: previewSize.height, everyFrameDreamed: everyFrameDreamed)
    }
}
