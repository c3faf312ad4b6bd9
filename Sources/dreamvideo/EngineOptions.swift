import ArgumentParser
import Foundation
import Net
import Render

/// How the network runs: the options `render` and `bench` share, checked in one place.
struct EngineOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for the network. Default: every core.")
    var threads: Int?

    @Option(name: .long, help: ArgumentHelp(
        "f32, or bf16 (bfloat16 weights and activations inside the oneDNN engine: about 1.6x faster on CPUs with AVX512_BF16, same-looking dreams; the image and objective stay f32).",
        valueName: "f32|bf16"))
    var precision: Precision = .f32

    func validate() throws {
        if let n = threads, !EngineChoice.threadRange.contains(n) { throw ValidationError(RequestError.badThreads(n).description) }
    }

    func resolvedThreads() -> Int {
        threads ?? EngineChoice.defaultThreads
    }
}
