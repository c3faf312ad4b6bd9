import Media

/// libFuzzer entry: any bytes probed and decoded as a video (from memory, through the reader's own
/// AVIOContext, with the same demuxer whitelist, limits and frame conversion as a file) must give
/// frames or a VideoReadError, never a crash. The limits are low so that a header claiming a huge
/// picture or endless frames is refused as it would be on a smaller machine.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVideo(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let limits = VideoLimits(memoryLimit: 64 << 20, maxFrames: 32)
    do {
        let frames = try VideoReader.open(bytes: bytes, name: "fuzz", limits: limits)
        _ = frames.info.framesPerSecond
        while let frame = try frames.next() {
            precondition(frame.pixels.count == 3 * frame.width * frame.height)
            precondition(frame.width * frame.height <= limits.maxPixels)
        }
    } catch let error as VideoReadError {
        _ = error.description
    } catch let error as ImageDecodeError {
        _ = error.description
    } catch {
        fatalError("not a VideoReadError: \(error)")
    }
    return 0
}
