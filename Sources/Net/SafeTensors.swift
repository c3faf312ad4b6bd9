import Foundation

/// A safetensors file (8-byte little-endian header length, JSON header, raw data) holding float32
/// tensors, as written by tools/convert_weights.py.
///
/// Tensor naming, per model (see tools/convert_weights.py for the full description):
/// - inception_v3: `<module path>.weight` [out, in, kh, kw] and the batch norm's `.beta`, `.mean`,
///   `.var` [out] for every conv, the path as in the TorchScript module tree below net.layers,
///   e.g. `mixed_4.tower_1.conv_3.weight`; __metadata__ holds `<path>.stride` and `<path>.padding`
///   ("ph,pw") as a cross-check of the Swift definition.
/// - squeezenet1_1: `conv1`, `fireN.squeeze1x1`, `fireN.expand1x1`, `fireN.expand3x3`, `conv10`,
///   each with `.weight` [out, in, kh, kw] (input channels in BGR order for conv1) and `.bias` [out].
/// - vgg19: `block1_conv1` ... `block5_conv4`, each with `.weight` [out, in, 3, 3] (dequantised;
///   BGR input channels) and `.bias` [out].
/// - mobilenet_v2: torchvision's state-dict names, e.g. `features.3.conv.1.0.weight` and its batch
///   norm's `features.3.conv.1.1.weight`, `.bias`, `.running_mean`, `.running_var`; `classifier.1.weight`
///   [1000, 1280] and `.bias`.
public struct SafeTensors: Sendable {
    public var tensors: [String: Tensor]
    public var metadata: [String: String]

    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    public init(contentsOf url: URL) throws {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw SafeTensorsError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        try self.init(bytes: bytes, path: url.path)
    }

    public init(bytes: Data, path: String = "<memory>") throws {
        func corrupt(_ why: String) -> SafeTensorsError { .corrupt(path: path, reason: why) }
        guard bytes.count >= 8 else { throw corrupt("shorter than its 8-byte header length") }
        let headerLength = bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(bytes.count - 8) else { throw corrupt("header length \(headerLength) runs past the end of the file") }
        let dataStart = 8 + Int(headerLength)
        let json = bytes.subdata(in: bytes.startIndex + 8 ..< bytes.startIndex + dataStart)
        guard let header = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else {
            throw corrupt("header is not a JSON object")
        }
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = value as? [String: String] ?? [:]
                continue
            }
            guard let entry = value as? [String: Any],
                  let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int],
                  let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw corrupt("entry \(name) lacks dtype, shape or data_offsets")
            }
            guard dtype == "F32" else { throw corrupt("tensor \(name) is \(dtype), expected F32") }
            let count = shape.reduce(1, *)
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end - begin == 4 * count, dataStart + end <= bytes.count else {
                throw corrupt("tensor \(name) of shape \(shape) has data offsets \(offsets) that do not fit")
            }
            var values = [Float](repeating: 0, count: count)
            _ = values.withUnsafeMutableBytes { dst in
                bytes.copyBytes(to: dst, from: (bytes.startIndex + dataStart + begin) ..< (bytes.startIndex + dataStart + end))
            }
            // The format is little-endian; so is every machine this runs on, but say so.
            if UInt32(1).bigEndian == 1 {
                for i in values.indices { values[i] = Float(bitPattern: UInt32(littleEndian: values[i].bitPattern)) }
            }
            tensors[name] = Tensor(shape: shape, data: values)
        }
        self.init(tensors: tensors, metadata: metadata)
    }

    /// The named tensor, which must have `shape` when given.
    public func tensor(_ name: String, shape: [Int]? = nil) throws -> Tensor {
        guard let t = tensors[name] else { throw SafeTensorsError.missingTensor(name) }
        if let shape, t.shape != shape { throw SafeTensorsError.wrongShape(name, found: t.shape, expected: shape) }
        return t
    }
}

public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case corrupt(path: String, reason: String)
    case missingTensor(String)
    case wrongShape(String, found: [Int], expected: [Int])

    /// What is wrong, without the remedy.
    var problem: String {
        switch self {
        case .unreadable(_, let reason), .corrupt(_, let reason): return reason
        case .missingTensor(let name): return "it lacks tensor \(name)"
        case .wrongShape(let name, let found, let expected): return "tensor \(name) has shape \(found), expected \(expected)"
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read \(path) (\(reason)); check the file's permissions or fetch it again with `make models`"
        case .corrupt(let path, let reason):
            return "\(path) is not a valid weights file: \(reason); delete it and run `make models`"
        case .missingTensor(let name):
            return "the weights file lacks tensor \(name); delete it and run `make models`"
        case .wrongShape(let name, let found, let expected):
            return "tensor \(name) has shape \(found), expected \(expected); delete the weights file and run `make models`"
        }
    }
}
