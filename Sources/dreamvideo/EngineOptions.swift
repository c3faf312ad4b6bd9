import ArgumentParser
import Foundation
import Net

/// How the network runs: the options `render` and `bench` share, checked in one place.
struct EngineOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for the network. Default: every core.")
    var threads: Int?

    @Option(name: .long, help: ArgumentHelp(
        "f32, or bf16 (bfloat16 weights and activations inside the oneDNN engine: about 1.6x faster on CPUs with AVX512_BF16, same-looking dreams; the image and objective stay f32).",
        valueName: "f32|bf16"))
    var precision: String = Precision.f32.rawValue

    func resolvedThreads() throws -> Int {
        let n = threads ?? ProcessInfo.processInfo.activeProcessorCount
        guard (1...256).contains(n) else { throw CommandError.badThreads(n) }
        return n
    }

    func resolvedPrecision() throws -> Precision {
        guard let p = Precision(rawValue: precision.lowercased()) else { throw CommandError.badPrecision(precision) }
        return p
    }
}
