import ArgumentParser
import Foundation

/// The entry point: set up the process, then run the command. The command (RenderCommand) is the root and
/// renders by itself, so that `dreamvideo --help` lists every render option. ArgumentParser would take
/// a subcommand's name for the root's INPUT argument, so the subcommands are picked here (RenderCommand still
/// lists them in --help); an image named like one can still be dreamed as ./bench or ./models.
@main
enum DreamVideo {
    static let subcommands: [String: ParsableCommand.Type] = [
        "bench": BenchCommand.self, "metrics": MetricsCommand.self, "models": ModelsCommand.self, "layers": LayersCommand.self,
        "dream": DreamCommand.self, "gallery": GalleryCommand.self,
    ]

    static func main() {
        OpenMPEnvironment.ensureShortSpinning()
        let args = Array(CommandLine.arguments.dropFirst())
        if let name = args.first, let command = subcommands[name] {
            run(command, Array(args.dropFirst()))
        } else if args.count == 2, args[0] == "help", let command = subcommands[args[1]] {
            command.main(["--help"])
        } else {
            run(RenderCommand.self, args)
        }
    }

    /// Parses, validates and runs `command`. A mistake in the options (a word that is not one of the
    /// choices, a size that is not WxH, options that do not go together) is one line, `error: ...`,
    /// and status 1, like every other refusal; ArgumentParser's own form adds the usage and a help
    /// pointer below it. `--help` and `--version` print as ArgumentParser prints them.
    static func run(_ command: ParsableCommand.Type, _ args: [String]) {
        let parsed: ParsableCommand
        do {
            parsed = try command.parseAsRoot(args)
        } catch {
            guard command.exitCode(for: error) != .success else { command.exit(withError: error) }
            var message = command.message(for: error)
            if let first = message.first { message = first.lowercased() + message.dropFirst() }
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            Foundation.exit(ExitCode.failure.rawValue)
        }
        do {
            var runnable = parsed
            try runnable.run()
            command.exit()
        } catch {
            command.exit(withError: error)
        }
    }
}
