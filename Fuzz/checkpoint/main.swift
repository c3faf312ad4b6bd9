import Foundation
import FrameLoop
import Imaging

/// libFuzzer entry: any bytes decoded as a checkpoint's state (ZoomLoop.State from JSON, as
/// `--resume` reads it; its canvas and queued frames are FloatImages with a size and base64 pixels)
/// must give a state or a DecodingError, never a crash, and never an allocation the bytes do not pay
/// for (a header may not claim a canvas larger than its pixel data).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    if let state = try? JSONDecoder().decode(ZoomLoop.State.self, from: bytes) {
        // What a resume does next with the state: the frames' pixels become 8-bit frames.
        for image in [state.canvas] + state.queued {
            precondition(image.pixels.count == 3 * image.width * image.height)
            _ = image.rgb8()
        }
    }
    if let image = try? JSONDecoder().decode(FloatImage.self, from: bytes) {
        precondition(image.pixels.count == 3 * image.width * image.height)
    }
    return 0
}
