import Foundation
import Media
import Render
import TestSupport
import XCTest

/// Output path policy, called directly: nothing the user owns is replaced, and no output is a file
/// the render reads (by device and inode, not by name).
final class OutputPolicyTests: XCTestCase {
    private let size = OutputSize(width: 96, height: 96)

    private func outputs(mp4: String?, framesDir: String? = nil, input: String, reads: [ReadFile] = [],
                         overwrite: Bool = false) throws -> Outputs {
        try Outputs(mp4: mp4, framesDir: framesDir, input: input, reads: reads, size: size, overwrite: overwrite,
                    encoder: MP4Sink.Options())
    }

    func testOutputThatIsTheInputByAnotherNameIsRefusedEvenWithOverwrite() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try RenderFixtures.startImage(in: dir)
        try FileManager.default.linkItem(atPath: input, toPath: dir + "/linked.mp4")
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        let message = RenderFixtures.message { _ = try outputs(mp4: dir + "/linked.mp4", input: input, overwrite: true) }
        XCTAssertEqual(message, "-o \(dir)/linked.mp4 is the same file as the input \(input); writing it would destroy what the "
                       + "render reads, with or without --overwrite: choose another -o")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: input)), before)
    }

    func testSettingsRecordPathThatIsAReadFileIsRefused() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try RenderFixtures.startImage(in: dir)
        // The user's palette happens to sit where the settings record of -o out.mp4 would go.
        try FileManager.default.copyItem(atPath: input, toPath: dir + "/out.mp4.json")
        let message = RenderFixtures.message {
            _ = try outputs(mp4: dir + "/out.mp4", input: input, reads: [ReadFile(option: "--palette", path: dir + "/out.mp4.json")],
                            overwrite: true)
        }
        XCTAssertTrue(message.hasPrefix("\(dir)/out.mp4.json (the settings record of -o \(dir)/out.mp4) is the same file as --palette"),
                      message)
    }

    func testAUsersFileWhereTheSettingsRecordGoesIsNotReplacedEvenWithOverwrite() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try RenderFixtures.startImage(in: dir)
        let notes = Data("{\"program\": \"my notes\"}".utf8)
        try notes.write(to: URL(fileURLWithPath: dir + "/out.mp4.json"))
        let message = RenderFixtures.message { _ = try outputs(mp4: dir + "/out.mp4", input: input, overwrite: true) }
        XCTAssertEqual(message, "\(dir)/out.mp4.json is not a settings record dreamvideo wrote, so it is not replaced, not even "
                       + "with --overwrite; move it away, or choose another -o")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/out.mp4.json")), notes)
    }

    func testASymlinkWhereTheCheckpointGoesIsNotOursEvenIfItPointsAtOne() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try RenderFixtures.startImage(in: dir)
        // A checkpoint-looking file of the user's elsewhere, reached through a link: the link is not ours.
        let stamp = Data("{\"format\": 1, \"settings\": {\"program\": \"dreamvideo\"}}".utf8)
        try stamp.write(to: URL(fileURLWithPath: dir + "/elsewhere"))
        try FileManager.default.createSymbolicLink(atPath: dir + "/out.mp4.checkpoint", withDestinationPath: dir + "/elsewhere")
        XCTAssertEqual("\(Checkpoint.recognise(dir + "/elsewhere", width: 96, height: 96))", "ours")
        let message = RenderFixtures.message { _ = try outputs(mp4: dir + "/out.mp4", input: input, overwrite: true) }
        XCTAssertEqual(message, "\(dir)/out.mp4.checkpoint is a symbolic link, not a file dreamvideo wrote, so it is not replaced, "
                       + "not even with --overwrite; move it away, or choose another -o")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/elsewhere")), stamp)
    }

    func testAnExistingVideoNeedsOverwriteAndOurOwnRecordIsThenReplaceable() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try RenderFixtures.startImage(in: dir)
        try Data("old video".utf8).write(to: URL(fileURLWithPath: dir + "/out.mp4"))
        try Data("{\"program\": \"dreamvideo\"}".utf8).write(to: URL(fileURLWithPath: dir + "/out.mp4.json"))
        XCTAssertEqual(RenderFixtures.message { _ = try outputs(mp4: dir + "/out.mp4", input: input) },
                       "\(dir)/out.mp4 already exists; pass --overwrite to replace it, or choose another -o")
        let made = try outputs(mp4: dir + "/out.mp4", input: input, overwrite: true)
        XCTAssertEqual(made.settingsPath, dir + "/out.mp4.json")
        XCTAssertEqual(Checkpoint.path(forOutput: made.primary), dir + "/out.mp4.checkpoint")
    }

    func testOnlyOurFrameFilesAreRemovedAsStale() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try RenderFixtures.startImage(in: dir)
        let frames = dir + "/frames"
        try FileManager.default.createDirectory(atPath: frames, withIntermediateDirectories: false)
        for n in 1...4 { try Data("png".utf8).write(to: URL(fileURLWithPath: frames + String(format: "/frame_%05d.png", n))) }
        try Data("mine".utf8).write(to: URL(fileURLWithPath: frames + "/notes.txt"))
        XCTAssertEqual(RenderFixtures.message { _ = try outputs(mp4: nil, framesDir: frames, input: input) },
                       "\(frames) already holds frame_*.png files; pass --overwrite to replace them, or choose another --frames-dir")
        let made = try outputs(mp4: nil, framesDir: frames, input: input, overwrite: true)
        try made.removeStaleFrames(beyond: 2)
        let left = try FileManager.default.contentsOfDirectory(atPath: frames).sorted()
        XCTAssertEqual(left, ["frame_00001.png", "frame_00002.png", "notes.txt"])
    }
}
