import ArgumentParser
import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Render
import Schedule

/// Times one dream step of the oneDNN engine and prints the figures one a line, `name: value`,
/// the last line being `median_ms_per_iteration: X` (the same shape as torch_peer.py's output).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time one dream step: forward to a layer, the objective, the gradient to the image.",
        usage: "dreamvideo bench [--model <name>] [--layer <name>] [--size <WxH>] [--iterations <n>] [--threads <n>] [--precision f32|bf16]",
        discussion: """
        One warm-up step (it builds the engine's work for the size), then --iterations timed steps. \
        Prints the FLOP count of a step (from the network's graph), the achieved GFLOP/s at the median \
        time, the oneDNN kernels used and the peak resident memory. Fails if oneDNN would use one of \
        its slow reference kernels.
        Example:
          dreamvideo bench --layer mixed_5 --size 640x360 --iterations 10 --threads 1 --precision bf16
        """
    )

    @Option(name: .long, help: ArgumentHelp("The network: inception_v3, squeezenet1_1, vgg19 or mobilenet_v2.", valueName: "name"))
    var model: String = ModelStore.defaultModel

    @Option(name: .long, help: ArgumentHelp("The layer the objective reads (mean of its squared activations).", valueName: "name"))
    var layer: String = "mixed_5"

    @Option(name: .long, help: ArgumentHelp("Image size WxH.", valueName: "WxH"), transform: { try OutputSize(parsing: $0) })
    var size = OutputSize(width: 640, height: 360)

    @Option(name: .long, help: "Timed steps after the warm-up; the median is reported.")
    var iterations: Int = 10

    @OptionGroup var engine: EngineOptions

    @Option(name: .long, help: ArgumentHelp(
        "3x3 convolutions in f32: fastest (each layer's direct and Winograd kernels timed once on this machine, the winner cached in ~/.cache/dreamvideo/convolution-algorithms.json), direct or winograd.",
        valueName: "name"))
    var algorithm: AlgorithmChoice = .fastest

    @Option(name: .long, help: ArgumentHelp(
        "With more than one thread: auto (as renders do: strips where they were measured faster for the size, cached with the algorithms; else threads), threads (one engine whose primitives use every thread) or strips (one single-thread engine per thread, each on a strip of the image with a receptive-field margin, wherever the image is wide enough).",
        valueName: "auto|strips|threads"))
    var parallel: ParallelChoice = .auto

    @Flag(name: .long, help: "Also print each convolution's algorithm: the time of each candidate, and whether it came from the cache.")
    var profile = false

    @Option(name: .long, help: ArgumentHelp(
        "Dream on this image (cover-cropped to --size). Default: seeded noise, as torch_peer.py uses.",
        valueName: "file"))
    var image: String?

    func validate() throws {
        guard (1...100_000).contains(iterations) else { throw RequestError.badIterations(iterations) }
    }

    mutating func run() throws {
        try reportingErrors { try bench() }
    }

    private func bench() throws {
        let threads = engine.resolvedThreads()
        let precision = engine.precision
        let algorithm = self.algorithm.algorithm
        _ = try ModelStore().entry(named: model)

        let start: FloatImage
        if let path = image {
            start = try ImageDecoder().decode(path: path).coverCropped(width: size.width, height: size.height)
        } else {
            start = Self.noise(width: size.width, height: size.height)
        }
        let model = try ModelStore().load(name: self.model)
        let split = threads > 1 && parallel != .threads
        let engine: Engine = split
            ? try SplitEngine(graph: model.graph, threads: threads, algorithm: algorithm, precision: precision, alwaysStrips: parallel == .strips)
            : try OneDNNEngine(graph: model.graph, threads: threads, algorithm: algorithm, precision: precision)
        let parts = (engine as? SplitEngine)?.parts ?? [engine as! OneDNNEngine]
        let network = Network(model: model, engine: engine)
        let result = try StepBenchmark(objective: Objective(layer: layer), iterations: iterations).run(network, image: start.tensor)

        var how = "one engine, \(threads) thread\(threads == 1 ? "" : "s")"
        if let s = engine as? SplitEngine, let target = model.graph.index(of: layer) {
            let (axis, strips) = try s.plan(height: size.height, width: size.width, targets: [target])
            how = strips.count == 1 ? "one engine, \(threads) threads (too small for strips with a margin of \(s.margin(for: [target], along: axis)))"
                : s.lastParallel == "threads" ? "one engine, \(threads) threads (measured faster than strips "
                  + strips.map { "\($0.start)..<\($0.end)" }.joined(separator: ", ") + ")"
                : "\(strips.count) single-thread engines at once, on \(axis == .columns ? "column" : "row") strips "
                  + strips.map { "\($0.start)..<\($0.end)" }.joined(separator: ", ") + " (margin \(s.margin(for: [target], along: axis)))"
        }
        // Convolutions are where the time goes: show which kernels oneDNN chose for them.
        let convolutions = parts.flatMap(\.implementations).filter { $0.op.hasPrefix("convolution") }
        let kernels = Dictionary(grouping: convolutions, by: \.impl).map { "\($0.key) x\($0.value.count)" }.sorted()
        let lines: [(String, String)] = [
            ("model", model.name),
            ("layer", layer),
            ("size", "\(size.width)x\(size.height)"),
            ("threads", "\(threads)"),
            ("precision", precision.rawValue),
            ("onednn", ConvolutionTuner.oneDNNVersion),
            ("parallel", how),
            ("convolution_algorithms", Self.algorithms(parts.first?.tuner)),
            ("convolution_kernels", kernels.joined(separator: ", ")),
            ("forward_gflop", String(format: "%.2f", result.cost.forwardFLOP / 1e9)),
            ("backward_data_gflop", String(format: "%.2f", result.cost.backwardDataFLOP / 1e9)),
            ("gflop_per_iteration", String(format: "%.2f", result.cost.totalFLOP / 1e9)),
            ("mean_abs_gradient", String(format: "%.6g", result.meanAbsGradient)),
            ("first_iteration_ms", String(format: "%.1f", result.firstSeconds * 1000)),
            ("min_ms", String(format: "%.1f", result.minimum * 1000)),
            ("achieved_gflop_per_s", String(format: "%.1f", result.gflopsPerSecond)),
            ("peak_rss_mb", String(format: "%.0f", Double(ResidentMemory.peakBytes) / 1_048_576)),
            ("median_ms_per_iteration", String(format: "%.1f", result.median * 1000)),
        ]
        if profile, let tuner = parts.first?.tuner {
            for d in tuner.decisions {
                let times = d.entry.milliseconds.sorted { $0.key < $1.key }.map { String(format: "%@ %.2f ms", $0.key, $0.value) }
                print("algorithm: \(d.layer): \(d.entry.choice) (\(times.joined(separator: ", "))\(d.fromCache ? ", cached" : "")) [\(d.key)]")
            }
        }
        for (name, value) in lines { print("\(name): \(value)") }
    }

    /// "forward: winograd 10, direct 2; backward_data: winograd 9, direct 3 (timed now: 24; cache FILE)".
    static func algorithms(_ tuner: ConvolutionTuner?) -> String {
        guard let tuner else { return "not timed (fixed by --algorithm or bf16: direct)" }
        var seen = Set<String>(), counts: [String: [String: Int]] = [:]
        var timed = 0
        for d in tuner.decisions where seen.insert(d.key).inserted {
            let direction = String(d.key.prefix { $0 != " " })
            counts[direction, default: [:]][d.entry.choice, default: 0] += 1
            if !d.fromCache { timed += 1 }
        }
        let parts = counts.sorted { $0.key > $1.key }.map { dir, c in
            "\(dir): " + c.sorted { $0.key > $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        let error = tuner.saveError.map { "; not saved: \($0)" } ?? ""
        return parts.joined(separator: "; ") + " (timed now: \(timed); cache \(tuner.cache.url.path)\(error))"
    }

    /// Uniform noise in 96...160, like torch_peer.py's start image (a mid-grey with texture).
    static func noise(width: Int, height: Int) -> FloatImage {
        var random = SeededRandom(seed: 0)
        let pixels = (0..<(3 * width * height)).map { _ in Float(96 + random.int(in: 0...64_000)) / 1000 }
        return FloatImage(width: width, height: height, pixels: pixels)
    }
}
