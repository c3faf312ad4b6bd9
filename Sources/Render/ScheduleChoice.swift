import Foundation
import FrameLoop
import Imaging
import Net
import Schedule

extension PresetLocator {
    /// The schedule --schedule names, with the command line's overrides, for the network --model
    /// names (nil: the schedule's own). A preset walks one network's layers; on another network
    /// (and without --layer) it walks that network's layers the same way (Schedule.mapped: same
    /// segments, frames and settings) instead of being refused. A schedule file of the user's own
    /// names its layers on purpose, so it is not rewritten (its unknown layers are reported).
    /// `mapping` says what was mapped, for the person watching the render start.
    public func schedule(for name: String, model: String?, overrides: Overrides) throws -> (schedule: Schedule, mapping: String?) {
        let (path, isPreset) = try locate(name)
        var schedule = try Schedule.load(path: path)
        var mapping: String?
        if isPreset, let target = model, let from = schedule.model, target != from, overrides.layer == nil,
           let source = LayerGuide.of(from), let guide = LayerGuide.of(target) {
            let before = schedule.segments.map(\.layerDescription)
            schedule = schedule.mapped(from: source, onto: guide)
            mapping = "the \(name) preset is written for \(from); on \(target) it walks "
                + zip(before, schedule.segments.map(\.layerDescription)).map { "\($0) -> \($1)" }.joined(separator: ", ")
        }
        return (try schedule.applying(overrides), mapping)
    }
}
