import Imaging

/// libFuzzer entry: `metrics` over a sequence of small frames whose sizes and pixels come from the
/// bytes (sizes change at will), with a dreamed/source pair per frame for the dream flicker. Frames of
/// two sizes must be refused (FrameSizeMismatch), never read out of bounds.
///
/// Layout: repeated [width-1, height-1, zoom byte, then 3*w*h pixel bytes (cycled if short)]; sides
/// 1...32 so one input is quick.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMetrics(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard bytes.count >= 3 else { return 0 }
    // The zoom is estimated (a search of ~85 warps per pair, ~30 ms under ASan) for one input in 16:
    // at one in four the target ran 14 inputs a second on the shared machine.
    var metrics = VideoMetrics(zoom: bytes[2] & 15 == 0 ? nil : 1.02)
    var flicker = DreamFlicker()
    var at = 0, frames = 0
    while at + 3 <= bytes.count, frames < 6 {
        let w = Int(bytes[at] % 32) + 1, h = Int(bytes[at + 1] % 32) + 1
        let shift = Float(bytes[at + 2])
        at += 3
        var pixels = [Float](repeating: 0, count: 3 * w * h)
        for i in pixels.indices { pixels[i] = Float(bytes[(at + i) % bytes.count]) }
        at += min(pixels.count, bytes.count - at)
        let image = FloatImage(width: w, height: h, pixels: pixels)
        var source = image
        for i in source.pixels.indices { source.pixels[i] = min(255, max(0, source.pixels[i] - shift / 4)) }
        do { try metrics.add(image) } catch is FrameSizeMismatch {} catch { fatalError("\(error)") }
        do { try flicker.add(dreamed: image, source: source) } catch is FrameSizeMismatch {} catch { fatalError("\(error)") }
        frames += 1
    }
    _ = metrics.summary(window: 2)
    _ = flicker.mean
    return 0
}
