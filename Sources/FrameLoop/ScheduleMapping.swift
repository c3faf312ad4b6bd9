import Imaging
import Net
import Schedule

extension Schedule {
    /// This schedule written for `source`'s network, moved onto `target`'s: each layer goes to the
    /// layer at the same place on the target's walk (LayerGuide.counterpart), so the `layers`
    /// preset (inception_v3's walk, six segments) becomes the target's six-layer walk with the same
    /// frames, timings and settings. Channel choices are dropped (channel 12 of one network has
    /// nothing to do with channel 12 of another); layers that land on the same one add their weights.
    public func mapped(from source: LayerGuide, onto target: LayerGuide) -> Schedule {
        var out = self
        out.model = target.model
        for i in out.segments.indices {
            var merged: [LayerWeight] = []
            for l in segments[i].layers {
                let name = target.counterpart(of: l.name, in: source) ?? l.name
                if let k = merged.firstIndex(where: { $0.name == name }) {
                    merged[k].weight += l.weight
                } else {
                    merged.append(LayerWeight(name: name, weight: l.weight, place: l.place))
                }
            }
            out.segments[i].layers = merged
        }
        return out
    }
}
