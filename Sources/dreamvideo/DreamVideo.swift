import ArgumentParser

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
        OpenMPEnvironment.ensurePassiveWaiting()
        let args = Array(CommandLine.arguments.dropFirst())
        if let name = args.first, let command = subcommands[name] {
            command.main(Array(args.dropFirst()))
        } else if args.count == 2, args[0] == "help", let command = subcommands[args[1]] {
            command.main(["--help"])
        } else {
            RenderCommand.main()
        }
    }
}
