import Foundation
import XCTest

/// The command re-executes itself with short-spinning OpenMP waits when the user set neither
/// OMP_WAIT_POLICY nor GOMP_SPINCOUNT (libgomp reads them only at load; see OpenMPEnvironment.swift):
/// the running process's environment shows them.
final class OpenMPEnvironmentTests: CommandTestCase {
    func testCommandSetsShortSpinningWaits() throws {
        let p = Process()
        p.executableURL = binary
        p.arguments = ["bench", "--model", "squeezenet1_1", "--size", "96x96", "--iterations", "100000", "--threads", "1"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.environment = ProcessInfo.processInfo.environment.filter { $0.key != "OMP_WAIT_POLICY" && $0.key != "GOMP_SPINCOUNT" }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { p.terminate() }; p.waitUntilExit() }
        var environ: [String] = []
        // The re-execution keeps the process id: poll its environment until it shows the variables.
        for _ in 0..<400 where p.isRunning {
            let data = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(p.processIdentifier)/environ"))) ?? Data()
            environ = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if environ.contains(where: { $0.hasPrefix("GOMP_SPINCOUNT=") }) { break }
            usleep(25_000)
        }
        XCTAssertTrue(environ.contains("GOMP_SPINCOUNT=1000"), "environment of the running command: \(environ.filter { $0.contains("OMP") })")
        XCTAssertTrue(environ.contains("OMP_WAIT_POLICY=passive"), "environment of the running command: \(environ.filter { $0.contains("OMP") })")
    }
}
