import Foundation
import XCTest
import TestSupport

/// A folder the command cannot write, and how to run the command so that it cannot: the reason the
/// command should print (strerror's words) and the launcher.
struct ReadOnlyFolder {
    var path: String
    /// What the command says about the folder: "Read-only file system" or "Permission denied".
    var reason: String
    /// How it was made, for failure messages.
    var how: String
    /// Runs the command (args as for `dreamvideo`) the way that cannot write `path`.
    var run: ([String]) throws -> Run
}

extension CommandTestCase {
    /// Every way this machine offers to give the command a folder it cannot write, so that the
    /// promise "a read-only folder is one line before any work" is tested on every run:
    /// - a read-only tmpfs, where `mount` is allowed (root with CAP_SYS_ADMIN): the file system refuses;
    /// - a folder without write permission (mode 0555), run as this user when it is not root, and as
    ///   root through `setpriv` as the unprivileged user nobody (root would ignore the mode bits):
    ///   this needs no privilege beyond what a test running as root already has, so it works in a
    ///   container where `mount` is not allowed.
    /// No way at all fails the test, saying why; it never skips. Inputs the command reads must be
    /// readable by nobody: keep them in the working directory (`dir`, created 0755).
    func readOnlyFolders(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> [ReadOnlyFolder] {
        var ways: [ReadOnlyFolder] = []
        var notes: [String] = []

        let mounted = dir + "/" + name + "-tmpfs"
        try FileManager.default.createDirectory(atPath: mounted, withIntermediateDirectories: false)
        let m = try runProcess(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", mounted], in: dir)
        if m.status == 0 {
            addTeardownBlock { [dir] in _ = try? runProcess(URL(fileURLWithPath: "/bin/umount"), [mounted], in: dir) }
            ways.append(ReadOnlyFolder(path: mounted, reason: "Read-only file system", how: "a read-only tmpfs",
                                       run: { try self.dreamvideo($0) }))
        } else {
            notes.append("mount -t tmpfs -o ro: \(m.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
            try FileManager.default.removeItem(atPath: mounted)
        }

        let locked = dir + "/" + name + "-0555"
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o555])
        if geteuid() != 0 {
            ways.append(ReadOnlyFolder(path: locked, reason: "Permission denied", how: "a folder of mode 0555",
                                       run: { try self.dreamvideo($0) }))
        } else if let setpriv = try? tool("setpriv") {
            // nobody must reach the binary and the working directory; a folder on the way that only
            // root may enter would make this fail with a clear "Permission denied" on the binary.
            let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", binary.path]
            // nobody writes its other outputs beside the locked folder, as a user in their own folder would.
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir)
            ways.append(ReadOnlyFolder(path: locked, reason: "Permission denied",
                                       how: "a folder of mode 0555, the command run as nobody (setpriv)",
                                       run: { try runProcess(setpriv, asNobody + $0, in: self.dir) }))
        } else {
            notes.append("running as root without setpriv (util-linux) to run the command as an unprivileged user")
        }
        if ways.isEmpty {
            XCTFail("no way to make a folder the command cannot write: \(notes.joined(separator: "; "))", file: file, line: line)
        }
        return ways
    }
}

extension CommandTestCase {
    /// Runs `args` with `run` (the plain binary unless given), expects our one-line error mentioning
    /// every string of `mentions`, and that the working directory holds exactly what it held before.
    func expectRefusal(_ args: [String], mentions: [String], run: (([String]) throws -> Run)? = nil,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try listing()
        let result = try (run ?? { try self.dreamvideo($0) })(args)
        XCTAssertFalse(result.crashed, "crashed:\n\(result.stderr)", file: file, line: line)
        XCTAssertEqual(result.reason, .exit, file: file, line: line)
        XCTAssertNotEqual(result.status, 0, "exit status 0 for a mistake", file: file, line: line)
        XCTAssertEqual(result.stderrLines.count, 1, "expected one line on stderr, got:\n\(result.stderr)", file: file, line: line)
        let message = result.stderrLines.first ?? ""
        XCTAssertTrue(message.hasPrefix("error: "), "stderr does not start with \"error: \": \(message)", file: file, line: line)
        for m in mentions {
            XCTAssertTrue(message.contains(m), "the message does not mention \(m): \(message)", file: file, line: line)
        }
        XCTAssertEqual(try listing(), before, "the failed run left files behind", file: file, line: line)
    }
}
