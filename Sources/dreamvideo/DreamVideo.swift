/// The entry point: set up the process, then run the command. The command (Render) is the root, with
/// no subcommands, so that `dreamvideo --help` lists every option rather than a list of one subcommand.
@main
enum DreamVideo {
    static func main() {
        OpenMPEnvironment.ensurePassiveWaiting()
        Render.main()
    }
}
