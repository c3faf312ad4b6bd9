import Foundation
import Net

/// libFuzzer entry: any bytes given to the weights reader (a safetensors file: an 8-byte little-endian
/// header length, a JSON header of dtype/shape/data_offsets per tensor, then the data) must give
/// tensors or a SafeTensorsError, never a crash, and no tensor the file's bytes do not hold.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWeights(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    do {
        let file = try SafeTensors(bytes: bytes, path: "fuzz.safetensors")
        for (_, t) in file.tensors {
            precondition(t.data.count == t.shape.reduce(1, *))
            precondition(4 * t.data.count <= size, "a tensor larger than the file")
        }
    } catch let error as SafeTensorsError {
        _ = error.description
    } catch {
        fatalError("not a SafeTensorsError: \(error)")
    }
    return 0
}
