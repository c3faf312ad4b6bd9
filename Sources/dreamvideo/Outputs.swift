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
            let stem = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
            mp4 = stem + "-dream.mp4"
        }
        if let path = mp4 {
            let fm = FileManager.default
            // Not NSString.deletingLastPathComponent: corelibs Foundation traps on a one-character path ("-o a").
            let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue {
                throw CommandError.outputIsDirectory(path)
            }
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
        // The MP4 first: it checks the encoder options before touching the disk, and if the frame
        // folder then fails the MP4's temporary is removed, so a mistake leaves no empty folder or file.
        if let mp4 { sinks.append(try MP4Sink(path: mp4, options: encoder)) }
        if let framesDir { sinks.append(try PNGSequenceSink(directory: framesDir, lastIndex: frames)) }
        return FanOutSink(sinks)
    }
}
