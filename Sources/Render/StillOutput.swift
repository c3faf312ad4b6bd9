import Foundation
import Imaging
import Media

/// A PNG that `dream` or `gallery` writes, checked before any work: a mistake costs no dreaming,
/// and PNGWriter writes it under a temporary name, so a failure leaves nothing behind.
public struct StillOutput {
    public let path: String

    /// `reads`: the pictures the command reads; -o may not be one of them, even with --overwrite.
    public init(path: String, overwrite: Bool, reads: [ReadFile]) throws {
        guard path.lowercased().hasSuffix(".png") else { throw RequestError.notPNG(path) }
        let fm = FileManager.default
        let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue { throw RequestError.pngIsDirectory(path) }
        if !dir.isEmpty && !(fm.fileExists(atPath: dir, isDirectory: &isDir) && isDir.boolValue) {
            throw RequestError.outputDirectoryMissing(dir)
        }
        try Outputs.checkWritable(dir.isEmpty ? "." : dir)
        try reads.refuse(WrittenPath(what: "-o", path: path, choose: "-o"))
        if fm.fileExists(atPath: path) && !overwrite { throw RequestError.outputExists(path) }
        self.path = path
    }

    public func write(_ image: FloatImage) throws { try PNGWriter.write(image, to: path) }
}
