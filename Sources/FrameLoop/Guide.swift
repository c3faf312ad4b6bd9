import Imaging
import Net
import Schedule

/// Dreaming toward another picture (a "guide"): every layer of the objective is replaced by its
/// `channels` channels that the guide excites most, each weighted by how strongly (its mean
/// activation on the guide). The frames then grow the guide's kind of texture and parts. This is a
/// per-channel form of the guide in Google's DeepDream notebook, which matches features position by
/// position; the channel form needs nothing from the engine beyond channel-selecting objectives.
extension ResolvedSchedule {
    public func guided(by guide: FloatImage, network: Network, channels: Int = 32) throws -> ResolvedSchedule {
        // The guide at a working size: its short side 299, as Inception-v3 was trained.
        let scale = 299 / Double(min(guide.width, guide.height))
        let image = scale < 1 ? guide.resized(width: max(75, Int(Double(guide.width) * scale)),
                                              height: max(75, Int(Double(guide.height) * scale))) : guide
        var cache: [String: [Objective.Term]] = [:]
        func guidedTerms(_ layer: String) throws -> [Objective.Term] {
            if let t = cache[layer] { return t }
            let means = try network.channelMeans(of: image.tensor, layer: layer)
            let top = means.indices.sorted { means[$0] > means[$1] }.prefix(max(1, channels))
            let total = top.map { max(0, means[$0]) }.reduce(0, +)
            let terms = top.map { Objective.Term(layer: layer, weight: total > 0 ? max(0, means[$0]) / total : 1, channels: [$0]) }
            cache[layer] = terms
            return terms
        }
        var out = self
        for i in out.segments.indices {
            var terms: [Objective.Term] = []
            for t in segments[i].objective.terms {
                if t.channels != nil { terms.append(t); continue }
                terms += try guidedTerms(t.layer).map { g in
                    Objective.Term(layer: g.layer, weight: g.weight * t.weight, channels: g.channels)
                }
            }
            out.segments[i].objective = Objective(terms: terms)
            out.segments[i].layerDescription += " (guided)"
        }
        return out
    }
}
