extension Network {
    /// Refuses channel numbers that a layer does not have, from the graph's shapes alone, so that a
    /// mistake in a schedule is reported before any frame is dreamed rather than at the first step.
    public func checkChannels(of objective: Objective, height: Int, width: Int) throws {
        for term in objective.terms {
            guard let channels = term.channels, let node = model.graph.index(of: term.layer) else { continue }
            let count = try model.graph.shapes(height: height, width: width, through: node)[node][0]
            if let bad = channels.first(where: { $0 < 0 || $0 >= count }) {
                throw EngineError.channelOutOfRange(node: term.layer, channel: bad, channels: count)
            }
        }
    }
}
