import Foundation
import FrameLoop
import Imaging
import Schedule

/// Mistakes in what was asked for (a `RenderRequest`, a still or gallery request: the command line),
/// each with what to do instead.
public enum RequestError: Error, CustomStringConvertible {
    case badSize(String)
    case sizeOutOfRange(width: Int, height: Int)
    case badThreads(Int)
    case badIterations(Int)
    case presetNotFound(String, searched: [String])
    case outputExists(String)
    case framesExist(String)
    case outputIsDirectory(String)
    case outputDirectoryMissing(String)
    case oddSize(width: Int, height: Int)
    case outputDirectoryNotWritable(String, reason: String)
    case noCheckpoint(String)
    case badCheckpoint(String, reason: String)
    case checkpointExists(String)
    case resumeMismatch(checkpoint: String, key: String, then: String, now: String)
    case resumeVideoMismatch(video: String, holds: Int, expected: Int)
    case cannotSaveCheckpoint(String, reason: String)
    case noRoomForCheckpoint(String, bytes: Int64, reason: String)
    case cannotSaveSettings(String, reason: String)
    case badCarry(Double)
    case badFrames(Int)
    case onlyForVideo(String)
    case notForVideo(String)
    case videoResume
    case audioNeedsMP4
    case noAudioToKeep(String)
    case cannotContinueVideo(String, reason: String)
    case notPNG(String)
    case pngIsDirectory(String)
    case layersAndChannels
    case badColumns(Int)
    case badLayerList(String)
    case badChannels(String)
    case badLayerSpec(String)
    case unknownLayer(String, option: String, model: String, layers: [String])
    case outputIsInput(written: String, kind: String, read: String, input: String, choose: String)
    case framesDirIsFile(String)
    case notOurs(String, reason: String, choose: String)
    case settingsExist(String, choose: String)

    public var description: String {
        switch self {
        case .badCarry(let x):
            return "--carry \(x) is out of range; use 0 (each frame dreamed on its own) ... 1 (default \(VideoDream.defaultCarry))"
        case .badFrames(let n):
            return "--frames \(n) is out of range; use 1 or more"
        case .onlyForVideo(let flag):
            return "\(flag) applies only to a video input, and this input is a still image; leave it out"
        case .notForVideo(let flag):
            return "\(flag) does not apply to a video input: the video's own motion is the motion and every frame is dreamed; leave it out"
        case .videoResume:
            return "--resume does not apply to a video input (a stopped video render keeps its frames in its MP4); render again with --overwrite"
        case .noAudioToKeep(let path):
            return "--audio: \(path) has no audio stream to keep; leave out --audio"
        case let .cannotContinueVideo(path, reason):
            return "--resume: cannot continue the video \(path): \(reason); render again without --resume (add --overwrite)"
        case .audioNeedsMP4:
            return "--audio needs an MP4 output; add -o OUT.mp4"
        case .badSize(let s):
            return "--size '\(s)' is not WIDTHxHEIGHT; write it like --size 640x360"
        case .sizeOutOfRange(let w, let h):
            return "--size \(w)x\(h) is out of range; each side must be \(OutputSize.sides.lowerBound)...\(OutputSize.sides.upperBound) pixels"
        case .badThreads(let n):
            return "--threads \(n) is out of range; use 1 or more (default: every core)"
        case .badIterations(let n):
            return "--iterations \(n) is out of range; use 1 or more (10 is typical)"
        case .presetNotFound(let name, let searched):
            return "no schedule file '\(name)' and no preset of that name in \(searched.joined(separator: ", ")); give a path to a JSON schedule or a preset name such as layers"
        case .outputExists(let path):
            return "\(path) already exists; pass --overwrite to replace it, or choose another -o"
        case .framesExist(let dir):
            return "\(dir) already holds frame_*.png files; pass --overwrite to replace them, or choose another --frames-dir"
        case .outputIsDirectory(let path):
            return "-o \(path) is a directory; give a file name such as \(path)/out.mp4"
        case .outputDirectoryMissing(let dir):
            return "the output folder \(dir) does not exist; create it first or choose another -o"
        case .oddSize(let w, let h):
            let even = "\(w + w % 2)x\(h + h % 2)"
            return "--size \(w)x\(h) has an odd side, which H.264 cannot encode; use an even size such as \(even)"
        case .outputDirectoryNotWritable(let dir, let reason):
            return "cannot write in the output folder \(dir) (\(reason)); choose a folder you can write to"
        case .noCheckpoint(let path):
            return "--resume: there is no checkpoint \(path), so nothing to continue; run the same command without --resume"
        case .badCheckpoint(let path, let reason):
            return "--resume: the checkpoint \(path) \(reason), so it cannot continue this render; render again with --overwrite (without --resume) to start over"
        case .checkpointExists(let path):
            return "an interrupted render left the checkpoint \(path); add --resume to continue it, or --overwrite to start again"
        case .resumeMismatch(let path, let key, let then, let now):
            return "--resume: the checkpoint \(path) was made with \(key) = \(then) (\(RenderSettings.setting(key))), this command gives \(now); run the same command as before with --resume, or start again with --overwrite"
        case .resumeVideoMismatch(let video, let holds, let expected):
            return "--resume: \(video) holds \(holds) frames but the checkpoint expects \(expected); it was changed since, so start again with --overwrite"
        case .cannotSaveCheckpoint(let path, let reason):
            return "cannot save the checkpoint \(path) (\(reason)); the frames done so far are kept, but --resume will not work: free some space"
        case .noRoomForCheckpoint(let path, let bytes, let reason):
            return "cannot hold \((bytes + 999_999) / 1_000_000) MB for the checkpoint \(path) (\(reason)); a stopped render could not be resumed: free some space first"
        case .cannotSaveSettings(let path, let reason):
            return "cannot write the settings record \(path) (\(reason))"
        case .notPNG(let path):
            return "-o \(path) is not a .png file; dream and gallery write PNG, so name it like out.png"
        case .pngIsDirectory(let path):
            return "-o \(path) is a directory; give a file name such as \(path)/out.png"
        case .layersAndChannels:
            return "--layers and --channels both given; a gallery shows either layers or the channels of one layer, so give one of them"
        case .badColumns(let n):
            return "--columns \(n) is out of range; use 1...64 (default: a square-ish grid)"
        case .badLayerList(let text):
            return "--layers '\(text)' has an empty entry; give layer names separated by commas, like --layers mixed_3,mixed_4"
        case .badLayerSpec(let text):
            return "--layers: '\(text)' is not LAYER or LAYER:CHANNEL; channels are whole numbers from 0, like mixed_5:12"
        case .badChannels(let text):
            return "--channels '\(text)' is not LAYER or LAYER:N with N in 1...256; write it like --channels mixed_4:16"
        case .outputIsInput(let written, let kind, let read, let input, let choose):
            return "\(written) is the same \(kind) as \(read) \(input); writing it would destroy what the render reads, with or without --overwrite: choose another \(choose)"
        case .framesDirIsFile(let path):
            return "--frames-dir \(path) is a file, not a folder; choose another --frames-dir"
        case .notOurs(let path, let reason, let choose):
            return "\(path) \(reason), so it is not replaced, not even with --overwrite; move it away, or choose another \(choose)"
        case .settingsExist(let path, let choose):
            return "\(path) holds the settings of an earlier render; pass --overwrite to replace it, or choose another \(choose)"
        case .unknownLayer(let layer, let option, let model, let layers):
            return "\(option): \"\(layer)\" is not a layer of \(model); its layers: \(layers.joined(separator: ", ")) (see dreamvideo layers --model \(model))"
        }
    }
}
