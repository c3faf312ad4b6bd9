import Encode
import Foundation
import FrameLoop

/// Where the frames go: an MP4, a PNG sequence, or both. Checked before the render starts.
struct Outputs {
    var mp4: String?
    var framesDir: String?
    var encoder: MP4Sink.Options

    init(mp4: String?, framesDir: String?, input: String, overwrite: Bool, encoder: MP4Sink.Options) throws {
        var mp4 = mp4
        if mp4 == nil && framesDir == nil {
            let stem = ((input as NSString).lastPathComponent as NSString).deletingPathExtension
            mp4 = stem + "-dream.mp4"
        }
        if let path = mp4 {
            let fm = FileManager.default
            let dir = (path as NSString).deletingLastPathComponent
            var isDir: ObjCBool = false
            if !dir.isEmpty && !(fm.fileExists(atPath: dir, isDirectory: &isDir) && isDir.boolValue) {
                throw CommandError.outputDirectoryMissing(dir)
            }
            if fm.fileExists(atPath: path) && !overwrite { throw CommandError.outputExists(path) }
        }
        self.mp4 = mp4
        self.framesDir = framesDir
        self.encoder = encoder
    }

    var summary: String {
        [mp4, framesDir.map { "\($0)/frame_*.png" }].compactMap { $0 }.joined(separator: " and ")
    }

    func open(frames: Int) throws -> FanOutSink {
        var sinks: [FrameSink] = []
        if let framesDir { sinks.append(try PNGSequenceSink(directory: framesDir, lastIndex: frames)) }
        if let mp4 { sinks.append(try MP4Sink(path: mp4, options: encoder)) }
        return FanOutSink(sinks)
    }
}
