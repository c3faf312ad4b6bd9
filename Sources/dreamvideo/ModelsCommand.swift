import ArgumentParser
import Foundation
import Net

/// `dreamvideo models`: the networks this program knows, what they cost, and which are fetched.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the networks: description, parameters, weights size, cost of a dream step, whether fetched.",
        usage: "dreamvideo models",
        discussion: """
        One line per network. The cost is one dream step (forward to the network's default layer, \
        the gradient back to the image) at 640x360, counted from the network's graph, which is built \
        from its weights: a network not fetched yet says "fetch to see". Weights are looked for in \
        $DREAMVIDEO_MODELS (default ~/.cache/dreamvideo/models); the last line says how to fetch \
        the ones missing.
        """)

    static let costSize = (width: 640, height: 360)

    mutating func run() throws {
        let store = ModelStore()
        var rows: [[String]] = [["model", "weights", "parameters", "file", "GFLOP/step", "at layer", "what it is"]]
        var missing: [String] = []
        for entry in ModelStore.known {
            var row = [entry.name]
            if store.isFetched(entry.name) {
                do {
                    let model = try store.load(name: entry.name)
                    let layer = model.defaultLayer
                    let cost = try model.stepCost(layer: layer, height: Self.costSize.height, width: Self.costSize.width)
                    row += ["fetched", String(format: "%.1fM", Double(model.parameterCount) / 1e6),
                            Self.fileSize(try store.url(of: entry.name)),
                            String(format: "%.1f", cost.totalFLOP / 1e9), layer]
                } catch {
                    // Damaged weights: say so on this line and keep listing the others.
                    row += ["damaged", "-", Self.fileSize(try store.url(of: entry.name)), "-", "-"]
                    missing.append(entry.name)
                    FileHandle.standardError.write(Data("warning: \(error)\n".utf8))
                }
            } else {
                row += ["not fetched", "fetch to see", String(format: "(%.1f MB download)", entry.downloadMB), "fetch to see",
                        LayerGuide.of(entry.name)?.single ?? "-"]
                missing.append(entry.name)
            }
            rows.append(row + [entry.description])
        }
        let widths = (0..<rows[0].count - 1).map { c in rows.map { $0[c].count }.max() ?? 0 }
        for row in rows {
            let padded = zip(row.dropLast(), widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
            print((padded + [row.last!]).joined(separator: "  "))
        }
        print("GFLOP/step: one dream step at \(Self.costSize.width)x\(Self.costSize.height) to the layer shown; weights in \(store.directory.path)")
        if missing.isEmpty {
            print("every network is fetched")
        } else {
            print("to fetch: tools/fetch_models.sh \(missing.joined(separator: " "))   (or `make models` for all)")
        }
    }

    static func fileSize(_ url: URL) -> String {
        // Through a symbolic link to the weights, to the file itself.
        let bytes = (try? FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path)[.size] as? Int) ?? nil
        return bytes.map { String(format: "%.1f MB", Double($0) / 1e6) } ?? "-"
    }
}
