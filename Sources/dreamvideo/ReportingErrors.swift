import ArgumentParser
import Foundation

/// Runs a command's work so that a user's mistake is one `error:` line and exit status 1, never a
/// stack trace. An ExitCode (a stopped render's 130) and a ValidationError (ArgumentParser adds the
/// usage) pass through as they are.
func reportingErrors(_ work: () throws -> Void) throws {
    do {
        try work()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}
