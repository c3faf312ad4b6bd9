import Foundation
import ArgumentParser

@main
struct DreamVideo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dreamvideo",
        abstract: "Turn a still image into a DeepDream zoom video.",
        discussion: """
        A real ImageNet-trained network dreams on the picture (gradient ascent on the image to amplify \
        what a chosen layer sees); the frame is then zoomed about its centre, cropped, and dreamed again. \
        A schedule walks the layers: low layers paint edges and lines, middle ones circles and eyes, \
        high ones animal parts.
        """,
        version: "0.1.0",
        subcommands: [Render.self, Bench.self],
        defaultSubcommand: Render.self
    )

    static func main() {
        OpenMPEnvironment.ensurePassiveWaiting()
        main(nil)
    }
}
