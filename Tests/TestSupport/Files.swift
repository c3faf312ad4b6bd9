import Foundation

/// A fresh empty directory under the system temporary directory, named after the test; the caller removes it.
public func makeTempDir(_ name: String = #function) throws -> String {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("dreamvideo-tests-\(safe)-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

public func fileExists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
