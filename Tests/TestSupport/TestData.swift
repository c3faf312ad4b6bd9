import Foundation
import Net
import XCTest

/// Where the tests find their inputs: Debian darknet's photos (`make testdata`) and the weights (`make models`).
public enum TestData {
    /// $DREAMVIDEO_TESTDATA, or else ${XDG_CACHE_HOME:-$HOME/.cache}/dreamvideo/testdata, where
    /// `make testdata` (tools/fetch_testdata.sh) puts the photos.
    public static var directory: String {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["DREAMVIDEO_TESTDATA"], !dir.isEmpty { return dir }
        let cache = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((env["HOME"] ?? NSHomeDirectory()) + "/.cache")
        return cache + "/dreamvideo/testdata"
    }

    /// A test photo resized to width x height by ffmpeg, as interleaved RGB24. ffmpeg keeps the Net
    /// and FrameLoop tests independent of the Media module's decoder. A missing photo or ffmpeg fails
    /// the test at the caller's line (and skips the rest of it).
    public static func photoRGB(_ name: String, width: Int, height: Int,
                                file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try ffmpegRGB24(try testPhoto(name), size: (width, height))
        } catch {
            XCTFail("\(error)", file: file, line: line)
            throw Problem("no test data")
        }
        guard bytes.count == 3 * width * height else {
            XCTFail("ffmpeg decoded \(name) to \(bytes.count) bytes, not \(width)x\(height) RGB24", file: file, line: line)
            throw Problem("no test data")
        }
        return bytes
    }

    /// The model store, after checking that `name` was fetched (a clear failure otherwise).
    public static func store(with name: String, file: StaticString = #filePath, line: UInt = #line) throws -> ModelStore {
        let store = ModelStore(environment: ProcessInfo.processInfo.environment)
        guard store.isFetched(name) else {
            XCTFail("\(name) weights are not in \(store.directory.path): run `make models` (or set DREAMVIDEO_MODELS)", file: file, line: line)
            throw Problem("no weights")
        }
        return store
    }
}

/// The path of a test photo from Debian's darknet package (dog.jpg, eagle.jpg...) in `TestData.directory`;
/// a missing one is an error that says what to do.
public func testPhoto(_ name: String) throws -> String {
    let path = TestData.directory + "/" + name
    guard FileManager.default.fileExists(atPath: path) else {
        throw Problem("test photo \(path) is missing; run `make testdata` (or set DREAMVIDEO_TESTDATA to the folder holding Debian darknet's dog.jpg, eagle.jpg...)")
    }
    return path
}
