import Foundation
import FrameLoop
import Imaging
import Media
import Net
import Schedule

/// The steps a still image's render (RenderPlan) and a video's (VideoInputPlan) both take to set up
/// from a request, one place each, in the order the plans call them: every mistake is found before
/// the first (slow) frame.
extension RenderRequest {
    /// The engine: --backend, --precision, --threads (checked).
    func engine() throws -> (backend: BackendKind, precision: Precision, threads: Int) {
        (backend, precision, try EngineChoice.threads(threads))
    }

    /// The schedule --schedule names with `overrides`, mapped for --model; `mapping` says how.
    func locatedSchedule(overrides: Overrides) throws -> (schedule: Schedule, mapping: String?) {
        try PresetLocator().schedule(for: schedule, model: model, overrides: overrides)
    }

    /// The network's name (--model, else the schedule's, else the default), checked to exist.
    func modelName(for schedule: Schedule) throws -> String {
        let name = model ?? schedule.model ?? ModelStore.defaultModel
        try EngineChoice.checkModel(name)
        return name
    }

    /// --guide's picture, decoded.
    func guideImage() throws -> FloatImage? {
        try guide.map { try ImageDecoder().decode(path: $0) }
    }

    /// The frames' size for a `width` x `height` input: --size, else the input's fitted (`fit` says
    /// how), halved with --preview (`full` is the size without it).
    func frameSize(width: Int, height: Int) throws -> (size: OutputSize, full: OutputSize, fit: OutputSize.Fit) {
        let fit = OutputSize.fitting(width, height, name: input)
        let full = size ?? fit.size
        return (preview ? try previewSize(of: full) : full, full, fit)
    }

    /// The MP4 encoder's options from -o's options at `fps` frames a second.
    func encoderOptions(fps: Int) throws -> MP4Sink.Options {
        var encoder = MP4Sink.Options(fps: fps, crf: crf, preset: preset, codec: codec)
        encoder.chroma = chroma
        return encoder
    }

    /// The outputs' paths as asked: -o and --frames-dir, or --preview's own names without -o.
    func previewedOutputs() -> (mp4: String?, framesDir: String?) {
        previewOutputs(mp4: output, framesDir: framesDir)
    }

    /// The outputs of frames of `size`, checked (`Outputs.init`), and an MP4 of odd size refused.
    func checkedOutputs(mp4: String?, framesDir: String?, size: OutputSize, encoder: MP4Sink.Options,
                        resume: Bool = false) throws -> Outputs {
        let outputs = try Outputs(mp4: mp4, framesDir: framesDir, input: input, reads: try readFiles(), size: size,
                                  overwrite: overwrite, encoder: encoder, resume: resume)
        if outputs.mp4 != nil && outputs.animation == nil && (size.width % 2 != 0 || size.height % 2 != 0) {
            throw RequestError.oddSize(width: size.width, height: size.height)
        }
        return outputs
    }

    /// The schedule resolved on `network`, guided by `guide`, each segment's channels checked at `size`.
    func resolve(_ schedule: Schedule, on network: Network, guide: FloatImage?, size: OutputSize) throws -> ResolvedSchedule {
        try resolveSchedule(schedule, on: network, guide: guide, width: size.width, height: size.height)
    }

    /// --palette's colours.
    func colourPalette() throws -> ColourPalette? {
        try palette.map { ColourPalette(of: try ImageDecoder().decode(path: $0)) }
    }

    /// The settings record's fields common to both kinds of render.
    func settings(size: OutputSize, model: String, store: ModelStore, engine: (backend: BackendKind, precision: Precision, threads: Int),
                  outputs: Outputs, fps: Int, schedule: Schedule) -> RenderSettings {
        RenderSettings(request: self, size: size, model: model, store: store, backend: engine.backend, precision: engine.precision,
                       threads: engine.threads, outputs: outputs, fps: fps, schedule: schedule)
    }
}
