extension Network {
    /// The network on the chosen engine. The reference engine computes in f32 only.
    public convenience init(model: Model, backend: BackendKind, threads: Int, precision: Precision = .f32) throws {
        let engine: Engine
        switch backend {
        case .onednn:
            // More than one thread: a single-thread engine per core on strips where that was measured
            // faster for the size, else one engine on every thread (SplitEngine decides, per size).
            engine = threads > 1 ? try SplitEngine(graph: model.graph, threads: threads, precision: precision)
                                 : try OneDNNEngine(graph: model.graph, threads: threads, precision: precision)
        case .reference:
            guard precision == .f32 else { throw EngineError.unsupportedPrecision(precision, engine: "the reference engine") }
            engine = ReferenceEngine(graph: model.graph)
        }
        self.init(model: model, engine: engine)
    }
}
