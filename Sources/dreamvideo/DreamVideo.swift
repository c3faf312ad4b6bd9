/// The entry point: set up the process, then run the command. The command (Render) is the root, with
/// no subcommands, so that `dreamvideo --help` lists every option rather than a list of one subcommand.
/// `dreamvideo bench ...` is the one exception, dispatched here: an image named "bench" can still be
/// dreamed as ./bench.
@main
enum DreamVideo {
    static func main() {
        OpenMPEnvironment.ensurePassiveWaiting()
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "bench" {
            Bench.main(Array(arguments.dropFirst()))
        } else {
            Render.main()
        }
    }
}
