/// The entry point: set up the process, then run the command. The command (Render) is the root and
/// renders by itself, so that `dreamvideo --help` lists every render option; `metrics` is its subcommand.
@main
enum DreamVideo {
    static func main() {
        OpenMPEnvironment.ensurePassiveWaiting()
        // ArgumentParser would take "metrics" for the root's INPUT argument, so the subcommand is
        // picked here; Render still lists it in --help.
        let args = Array(CommandLine.arguments.dropFirst())
        if args.first == "metrics" {
            Metrics.main(Array(args.dropFirst()))
        } else if args.count == 2 && args[0] == "help" && args[1] == "metrics" {
            Metrics.main(["--help"])
        } else {
            Render.main()
        }
    }
}
