import Files
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

    /// Reads the file (a bounded read of a regular file, `readFile`) and parses it.
    public init(contentsOf url: URL) throws {
        try self.init(bytes: try Self.readFile(url.path), path: url.path)
    }

    /// Parses a whole safetensors file held in memory, header (checked in full by `Header`) and
    /// data; `path` only names it in errors. This is the one entry point for bytes from anywhere (the
    /// weights-header fuzz target calls it). Every size is checked before anything is allocated: each
    /// tensor's values come from its own checked byte range.
    public init(bytes: Data, path: String = "<memory>") throws {
        try self = bytes.withUnsafeBytes { try SafeTensors(raw: $0, path: path) }
    }

    public init(bytes: [UInt8], path: String = "<memory>") throws {
        try self = bytes.withUnsafeBytes { try SafeTensors(raw: $0, path: path) }
    }

    private init(raw: UnsafeRawBufferPointer, path: String) throws {
        let header = try Header(parsing: raw, path: path)
        var tensors: [String: Tensor] = [:]
        tensors.reserveCapacity(header.entries.count)
        for e in header.entries {
            var values = [Float](repeating: 0, count: e.count)
            values.withUnsafeMutableBytes { dst in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[e.byteRange]))
            }
            // The format is little-endian; so is every machine this runs on, but say so.
            if UInt32(1).bigEndian == 1 {
                for i in values.indices { values[i] = Float(bitPattern: UInt32(littleEndian: values[i].bitPattern)) }
            }
            tensors[e.name] = Tensor(shape: e.shape, data: values)
        }
        self.init(tensors: tensors, metadata: header.metadata)
    }

    /// Weights files larger than this are refused before they are read: the largest network's
    /// file (Inception-v3) is 95 MB.
    public static let maxFileBytes = 1_000_000_000

    /// The bytes of a weights file, read once (the same bytes are hashed and parsed), with a bound:
    /// only a regular file, up to `maxFileBytes`.
    public static func readFile(_ path: String, limit: Int = maxFileBytes) throws(SafeTensorsError) -> [UInt8] {
        do {
            return try BoundedFile.read(path, limit: limit)
        } catch {
            switch error {
            case .missing: throw .unreadable(path: path, reason: "no such file")
            case .isDirectory: throw .unreadable(path: path, reason: "it is a directory")
            case .notAFile(let kind): throw .unreadable(path: path, reason: "it is \(kind), not a file")
            case .tooLarge(let size, let limit):
                throw .corrupt(path: path, reason: "it is \(size) bytes, more than the \(limit) a weights file may have")
            case .unreadable(let reason): throw .unreadable(path: path, reason: reason)
            }
        }
    }

    /// The named tensor, which must have `shape` when given.
    public func tensor(_ name: String, shape: [Int]? = nil) throws -> Tensor {
        guard let t = tensors[name] else { throw SafeTensorsError.missingTensor(name) }
        if let shape, t.shape != shape { throw SafeTensorsError.wrongShape(name, found: t.shape, expected: shape) }
        return t
    }

    /// The named tensor, which must have `rank` dimensions, none of them 0: checked before a network
    /// reads `shape[0...rank-1]` (a convolution's weight is [out, in, kh, kw]).
    public func tensor(_ name: String, rank: Int) throws -> Tensor {
        let t = try tensor(name)
        guard t.shape.count == rank, t.shape.allSatisfy({ $0 > 0 }) else {
            throw SafeTensorsError.wrongRank(name, found: t.shape, rank: rank)
        }
        return t
    }
}

public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case corrupt(path: String, reason: String)
    case missingTensor(String)
    case wrongShape(String, found: [Int], expected: [Int])
    case wrongRank(String, found: [Int], rank: Int)

    /// What is wrong, without the remedy.
    var problem: String {
        switch self {
        case .unreadable(_, let reason), .corrupt(_, let reason): return reason
        case .missingTensor(let name): return "it lacks tensor \(name)"
        case .wrongShape(let name, let found, let expected): return "tensor \(name) has shape \(found), expected \(expected)"
        case .wrongRank(let name, let found, let rank): return "tensor \(name) has shape \(found), expected \(rank) dimensions of at least 1"
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
        case .wrongRank(let name, let found, let rank):
            return "tensor \(name) has shape \(found), expected \(rank) dimensions of at least 1; delete the weights file and run `make models`"
        }
    }
}
