extension Network {
    /// The network on the chosen engine.
    public convenience init(model: Model, backend: BackendKind, threads: Int) throws {
        let engine: Engine
        switch backend {
        case .onednn: engine = try OneDNNEngine(graph: model.graph, threads: threads)
        case .reference: engine = ReferenceEngine(graph: model.graph)
        }
        self.init(model: model, engine: engine)
    }
}
