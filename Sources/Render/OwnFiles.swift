import Foundation
import FrameLoop
import Imaging
import Schedule

/// Telling the files dreamvideo writes beside an output (a checkpoint, a settings record) from files
/// of the user's that happen to have their names, so that neither a render nor --overwrite ever
/// replaces a file the program did not make.
public enum OwnFile {
    case absent
    case ours
    /// Exists but is not recognisably ours: why (e.g. "is not a settings record dreamvideo wrote").
    case notOurs(String)

    /// The file at `path`, read with `limit` (OwnFileRead), is ours when `isOurs` says so of its bytes;
    /// otherwise it is not ours because it `otherwise` ("is not a checkpoint dreamvideo wrote").
    public init(reading path: String, limit: Int, otherwise: String, isOurs: (Data) -> Bool) {
        do throws(OwnFileRead.Failure) {
            self = isOurs(try OwnFileRead.read(path, limit: limit)) ? .ours : .notOurs(otherwise)
        } catch {
            if case .missing = error { self = .absent } else { self = .notOurs("\(error)") }
        }
    }
}

/// The first fields of a settings record and of a checkpoint: enough to tell that dreamvideo wrote it.
private struct ProgramStamp: Decodable { var program: String }
private struct CheckpointStamp: Decodable { var format: Int; var settings: ProgramStamp }

extension RenderSettings {
    /// A settings record is a few KB (a schedule of 10,000 segments about 2 MB): a larger file is not one.
    public static let largestRecord = 16 << 20

    /// Whether the file at `path` is a settings record dreamvideo wrote (JSON whose "program" is "dreamvideo").
    public static func recognise(_ path: String) -> OwnFile {
        OwnFile(reading: path, limit: largestRecord, otherwise: "is not a settings record dreamvideo wrote") { data in
            (try? JSONDecoder().decode(ProgramStamp.self, from: data))?.program == "dreamvideo"
        }
    }
}

extension Checkpoint {
    /// Its settings and frame count: compared with this render's before the state is decoded.
    public struct Header: Decodable {
        public var format: Int
        public var settings: RenderSettings
        public var totalFrames: Int
    }

    /// The most bytes a checkpoint of a `width` x `height` render can hold: the canvas, a cadence group's queued
    /// frames and --loop's frame 1 as base64 (counted twice: JSONEncoder may escape every "/" as "\/"), the
    /// settings (twice: the compact copy may escape what the record does not) and 64 KB for the rest.
    /// nil when that does not fit in an Int (no such render can run).
    public static func largestSize(width: Int, height: Int, settingsBytes: Int) -> Int? {
        guard let pixels = FloatImage.byteCount(width: width, height: height) else { return nil }
        let base64 = (pixels / 3 + 1) * 4
        let (escaped, o1) = base64.multipliedReportingOverflow(by: 2)
        let (images, o2) = escaped.multipliedReportingOverflow(by: 2 + ZoomLoop.State.mostQueued)
        let (settings, o3) = settingsBytes.multipliedReportingOverflow(by: 2)
        let (sum, o4) = images.addingReportingOverflow(settings)
        let (all, o5) = sum.addingReportingOverflow(64 << 10)
        return o1 || o2 || o3 || o4 || o5 ? nil : all
    }

    /// The checkpoint's bytes, read with the bound above.
    /// A file that cannot be a checkpoint (a FIFO, a symlink, one too large) is not ours: it is not
    /// replaced even with --overwrite, so the message says to move it away or choose another `choose`.
    public static func readOwn(_ path: String, width: Int, height: Int, settingsBytes: Int, choose: String) throws -> Data {
        guard let limit = largestSize(width: width, height: height, settingsBytes: settingsBytes) else {
            throw RequestError.badCheckpoint(path, reason: "cannot be read for a \(width)x\(height) render")
        }
        do throws(OwnFileRead.Failure) {
            return try OwnFileRead.read(path, limit: limit)
        } catch {
            switch error {
            case .missing: throw RequestError.noCheckpoint(path)
            case .tooLarge:
                throw RequestError.notOurs(path, reason: "\(error) (\(width)x\(height) frames): it is not a checkpoint of this render (another --size?)", choose: choose)
            case .notRegular: throw RequestError.notOurs(path, reason: "\(error)", choose: choose)
            case .unreadable: throw RequestError.badCheckpoint(path, reason: "\(error)")
            }
        }
    }

    /// Whether the file at `path` is a checkpoint dreamvideo wrote (its format and program), read with
    /// the bound of a `width` x `height` render's checkpoint.
    public static func recognise(_ path: String, width: Int, height: Int) -> OwnFile {
        guard let limit = largestSize(width: width, height: height, settingsBytes: RenderSettings.largestRecord) else {
            return .notOurs("cannot be a checkpoint of a \(width)x\(height) render")
        }
        return OwnFile(reading: path, limit: limit, otherwise: "is not a checkpoint dreamvideo wrote") { data in
            guard let stamp = try? JSONDecoder().decode(CheckpointStamp.self, from: data) else { return false }
            return stamp.format == 1 && stamp.settings.program == "dreamvideo"
        }
    }

    /// What went wrong decoding a checkpoint, and where in it (e.g. "state.canvas: holds a ... image").
    public static func explain(_ error: Error) -> String {
        guard let e = error as? DecodingError else { return "cannot be read" }
        let context: DecodingError.Context
        switch e {
        case .dataCorrupted(let c), .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c): context = c
        @unknown default: return "cannot be read"
        }
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
        let at = path.hasPrefix(".") ? String(path.dropFirst()) : path
        return context.debugDescription + (at.isEmpty ? "" : " (at \(at))")
    }
}
