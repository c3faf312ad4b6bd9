import ArgumentParser
import Media
import Net

// The options that take one of a few words: ArgumentParser lists the choices in --help and refuses
// any other word itself ("The value 'f64' is invalid for '--precision <precision>'. Please provide one
// of 'f32' and 'bf16'."). Words are matched without regard to case, as they were before.

/// A choice parsed from its raw value, case-insensitively.
public protocol WordChoice: RawRepresentable, CaseIterable, ExpressibleByArgument where RawValue == String {}

extension WordChoice {
    public init?(argument: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue == argument.lowercased() }) else { return nil }
        self = match
    }

    /// --help shows the word a person types ("420"), not the case's name ("yuv420").
    public var defaultValueDescription: String { rawValue }
}

extension Precision: WordChoice {}
extension BackendKind: WordChoice {}
extension MP4Sink.Chroma: WordChoice {}

/// `--flow`: whether a video input's previous dream follows the video's motion.
enum FlowChoice: String, WordChoice {
    case on, off
}

/// `bench --algorithm`: how 3x3 convolutions are computed.
enum AlgorithmChoice: String, WordChoice {
    case fastest, direct, winograd

    var algorithm: OneDNNEngine.ConvolutionAlgorithm {
        switch self {
        case .fastest: return .fastest
        case .direct: return .direct
        case .winograd: return .winograd
        }
    }
}

/// `bench --parallel`: how a step uses more than one thread.
enum ParallelChoice: String, WordChoice {
    case auto, strips, threads
}
