import Media

/// libFuzzer entry: any bytes given to the image decoders (PNG through libpng, JPEG through
/// libturbojpeg, EXIF orientation) must give an image or an ImageDecodeError, never a crash.
/// The memory limit is low so that a header claiming a huge image is refused, as it would be by a
/// machine with less memory, rather than make every run allocate gigabytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let decoder = ImageDecoder(memoryLimit: 64 << 20)
    do {
        let image = try decoder.decode(bytes: bytes, path: "fuzz")
        precondition(image.pixels.count == 3 * image.width * image.height)
    } catch let error as ImageDecodeError {
        _ = error.description
    } catch {
        fatalError("not an ImageDecodeError: \(error)")
    }
    return 0
}
