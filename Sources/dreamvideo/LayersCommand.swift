import ArgumentParser
import Foundation
import Net
import Render

/// `dreamvideo layers`: every dreamable layer of a network with its shape and what it paints.
struct LayersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: "List a network's dreamable layers, shallow to deep: output shape and what each tends to paint.",
        usage: "dreamvideo layers [--model <name>] [--size <WxH>]",
        discussion: """
        The shape is the layer's output [channels, height, width] for an image of --size (channel \
        numbers for --layer NAME:12 run from 0 to channels-1). "walk" marks the layers the default \
        zoom walks through (a preset written for another network is mapped onto them), "default" \
        the layer `dreamvideo dream` uses when none is named. See what they paint with \
        `dreamvideo gallery photo.jpg --model NAME`.
        """)

    @Option(name: .long, help: ArgumentHelp("The network (see `dreamvideo models`).", valueName: "name"))
    var model: String = ModelStore.defaultModel

    @Option(name: .long, help: ArgumentHelp("Image size WxH the shapes are given for.", valueName: "WxH"), transform: { try OutputSize(parsing: $0) })
    var size = OutputSize(width: 640, height: 360)

    mutating func run() throws {
        try reportingErrors {
            let size = self.size
            _ = try ModelStore().entry(named: model)
            let model = try ModelStore().load(name: self.model)
            let guide = LayerGuide.of(model.name)
            let shapes = model.layerShapes(height: size.height, width: size.width)
            print("\(model.name) at \(size.width)x\(size.height): \(shapes.count) layers, shallow to deep")
            let nameWidth = shapes.map(\.layer.count).max() ?? 0
            let texts = shapes.map { $0.shape.map { "[\($0.map(String.init).joined(separator: ", "))]" } ?? "too small at this size" }
            let shapeWidth = texts.map(\.count).max() ?? 0
            for ((layer, _), shape) in zip(shapes, texts) {
                var marks: [String] = []
                if guide?.walk.contains(layer) == true { marks.append("walk") }
                if guide?.single == layer { marks.append("default") }
                let mark = marks.joined(separator: ",").padding(toLength: 14, withPad: " ", startingAt: 0)
                let note = guide?.note(for: layer) ?? ""
                print("  \(layer.padding(toLength: nameWidth, withPad: " ", startingAt: 0))  "
                      + "\(shape.padding(toLength: shapeWidth, withPad: " ", startingAt: 0))  \(mark)\(note)")
            }
        }
    }
}
