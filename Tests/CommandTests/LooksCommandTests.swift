import Media
import Foundation
import FrameLoop
import Net
import XCTest
import TestSupport
import Imaging
import Schedule

/// `models`, `layers`, `dream` and `gallery` on the real squeezenet1_1 weights, small sizes, real files.
final class LooksCommandTests: CommandTestCase {
    let sq = ["--model", "squeezenet1_1"]
    let quick = ["--octaves", "1", "--steps", "3"]

    func decode(_ name: String) throws -> FloatImage { try ImageDecoder().decode(path: dir + "/" + name) }

    func meanDifference(_ a: FloatImage, _ b: FloatImage) -> Double {
        XCTAssertEqual(a.width, b.width); XCTAssertEqual(a.height, b.height)
        return meanAbsDiff(a.rgb8(), b.rgb8())
    }

    /// Expects one `error:` line naming each of `mentions`, a failure status, and no new file.
    func expectError(_ args: [String], mentions: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try listing()
        let run = try dreamvideo(args)
        XCTAssertFalse(run.crashed, run.stderr, file: file, line: line)
        XCTAssertEqual(run.status, 1, run.stderr, file: file, line: line)
        XCTAssertEqual(run.stderrLines.count, 1, "expected one line:\n\(run.stderr)", file: file, line: line)
        let message = run.stderrLines.first ?? ""
        XCTAssertTrue(message.hasPrefix("error: "), message, file: file, line: line)
        for m in mentions { XCTAssertTrue(message.contains(m), "no \(m) in: \(message)", file: file, line: line) }
        XCTAssertEqual(try listing(), before, "the failed run left files behind", file: file, line: line)
    }

    // MARK: models

    func testModelsListsEveryKnownNetworkAndWhichAreFetched() throws {
        // A models folder holding squeezenet1_1 alone (linked, with its checksum).
        let store = ModelStore()
        let only = dir + "/models"
        try FileManager.default.createDirectory(atPath: only, withIntermediateDirectories: false)
        let weights = try store.url(of: SqueezeNet.name)
        try FileManager.default.createSymbolicLink(atPath: only + "/" + weights.lastPathComponent, withDestinationPath: weights.path)
        let sum = try store.checksumURL(of: SqueezeNet.name)
        if FileManager.default.fileExists(atPath: sum.path) {
            try FileManager.default.copyItem(atPath: sum.path, toPath: only + "/" + sum.lastPathComponent)
        }
        let run = try dreamvideo(["models"], environment: ["DREAMVIDEO_MODELS": only])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        for entry in ModelStore.known {
            guard let l = lines.first(where: { $0.hasPrefix(entry.name + " ") }) else { XCTFail("no line for \(entry.name):\n\(run.stdout)"); continue }
            XCTAssertTrue(l.contains(entry.description), l)
            if entry.name == SqueezeNet.name {
                let model = try store.load(name: SqueezeNet.name)
                let cost = try model.stepCost(layer: model.defaultLayer, height: 360, width: 640)
                XCTAssertTrue(l.contains(" fetched "), l)
                XCTAssertTrue(l.contains("1.2M"), l)
                let bytes = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: weights.path)[.size] as? Int)
                XCTAssertTrue(l.contains(String(format: "%.1f MB", Double(bytes) / 1e6)), "no file size through the link: \(l)")
                XCTAssertTrue(l.contains(String(format: "%.1f", cost.totalFLOP / 1e9)), l)
                XCTAssertFalse(l.contains("fetch to see"), l)
            } else {
                XCTAssertTrue(l.contains("not fetched"), l)
                XCTAssertTrue(l.contains("fetch to see"), l)
            }
        }
        let missing = ModelStore.known.map(\.name).filter { $0 != SqueezeNet.name }
        XCTAssertTrue(lines.last?.contains("tools/fetch_models.sh " + missing.joined(separator: " ")) ?? false, run.stdout)
        XCTAssertTrue(lines.last?.contains("make models") ?? false, run.stdout)
    }

    // MARK: layers

    func testLayersShapesAreTheEnginesActivations() throws {
        let run = try dreamvideo(["layers"] + sq + ["--size", "160x120"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let model = try ModelStore().load(name: SqueezeNet.name)
        let network = try Network(model: model, backend: .onednn, threads: 1)
        let activations = try network.activations(of: FloatImage(width: 160, height: 120, fill: 100).tensor, layers: model.layers)
        let rows = run.stdout.split(separator: "\n").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(rows.count, model.layers.count, run.stdout)
        let guide = try XCTUnwrap(LayerGuide.of(SqueezeNet.name))
        for (row, (layer, a)) in zip(rows, zip(model.layers, activations)) {
            XCTAssertTrue(row.hasPrefix(layer + " "), "\(row) is not \(layer)")
            XCTAssertTrue(row.contains("[\(a.shape.map(String.init).joined(separator: ", "))]"), "\(row): the engine gives \(a.shape)")
            XCTAssertTrue(row.hasSuffix(guide.note(for: layer) ?? "?"), row)
        }
    }

    // MARK: dream

    func testDreamWritesAPNGOfTheSizeThatDiffersFromTheInputAndFromNoSteps() throws {
        let photo = try testPhoto("dog.jpg")
        let base = ["dream", photo] + sq + ["--layer", "fire3", "--size", "128x96", "--octaves", "1"]
        var run = try dreamvideo(base + ["--steps", "4", "-o", "dreamed.png"])
        XCTAssertEqual(run.status, 0, run.stderr)
        run = try dreamvideo(base + ["--steps", "0", "-o", "plain.png"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try listing(), ["dreamed.png", "plain.png"])
        let dreamed = try decode("dreamed.png"), plain = try decode("plain.png")
        XCTAssertEqual(dreamed.width, 128); XCTAssertEqual(dreamed.height, 96)
        let input = try ImageDecoder().decode(path: photo).coverCropped(width: 128, height: 96)
        XCTAssertLessThan(meanDifference(plain, input), 0.01, "no steps should leave the picture as it is")
        XCTAssertGreaterThan(meanDifference(dreamed, input), 2, "the dream changed nothing")
        // Channels pick a different objective, as in a video's --layer fire3:5.
        run = try dreamvideo(base + ["--steps", "4", "--layer", "fire3:5", "-o", "channel.png"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertGreaterThan(meanDifference(try decode("channel.png"), dreamed), 1)
    }

    func testDreamScaleOnDreamAndGallery() throws {
        let photo = try testPhoto("dog.jpg")
        let base = ["dream", photo] + sq + ["--layer", "fire3", "--size", "192x144", "--octaves", "1", "--steps", "3"]
        var run = try dreamvideo(base + ["--dream-scale", "0", "-o", "own.png"])
        XCTAssertEqual(run.status, 0, run.stderr)
        run = try dreamvideo(base + ["--dream-scale", "96", "-o", "scaled.png"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let own = try decode("own.png"), scaled = try decode("scaled.png")
        XCTAssertEqual([scaled.width, scaled.height], [192, 144])
        XCTAssertGreaterThan(meanDifference(own, scaled), 1, "--dream-scale changed nothing")
        run = try dreamvideo(["gallery", photo, "-o", "sheet.png", "--layers", "fire3,fire5", "--dream-scale", "96"]
                             + sq + quick + ["--size", "192x144"])
        XCTAssertEqual(run.status, 0, run.stderr)
        run = try dreamvideo(base + ["--dream-scale", "-4", "-o", "bad.png"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertFalse(try listing().contains("bad.png"))
    }

    func testDreamKeepsTheInputSizeWithoutSize() throws {
        let run = try dreamvideo(["dream", try testPhoto("dog.jpg"), "-o", "d.png", "--steps", "0", "--octaves", "1"] + sq)
        XCTAssertEqual(run.status, 0, run.stderr)
        let input = try ImageDecoder().decode(path: try testPhoto("dog.jpg"))
        let out = try decode("d.png")
        XCTAssertEqual([out.width, out.height], [input.width, input.height])
    }

    // MARK: gallery

    func testGallerySheetHasTheGridsSizeDistinctTilesAndLabels() throws {
        let layers = ["conv1", "fire3", "fire9"]
        let run = try dreamvideo(["gallery", try testPhoto("dog.jpg"), "-o", "sheet.png", "--layers", layers.joined(separator: ",")]
                                 + sq + quick + ["--size", "96x80"])
        XCTAssertEqual(run.status, 0, run.stderr)
        for (i, l) in layers.enumerated() { XCTAssertTrue(run.stderr.contains("tile \(i + 1)/3 \(l)"), run.stderr) }
        let sheet = try decode("sheet.png")
        // 3 tiles: 2 columns x 2 rows of 96x80 pictures over 24-pixel label strips, 4-pixel gaps.
        XCTAssertEqual(sheet.width, 2 * 96 + 3 * 4)
        XCTAssertEqual(sheet.height, 2 * (80 + 24) + 3 * 4)
        let layout = ContactSheet(tileWidth: 96, tileHeight: 80, columns: 2)
        let tiles = (0..<3).map { i -> FloatImage in
            let o = layout.origin(of: i)
            return sheet.cropped(x: o.x, y: o.y, width: 96, height: 80)
        }
        for i in 0..<3 { for j in (i + 1)..<3 {
            XCTAssertGreaterThan(meanDifference(tiles[i], tiles[j]), 1, "tiles \(layers[i]) and \(layers[j]) look the same")
        } }
        // Ink in each used label strip, none in the empty fourth cell's.
        func inkPixels(_ i: Int) -> Int {
            let o = layout.origin(of: i)
            let strip = sheet.cropped(x: o.x, y: o.y + 80, width: 96, height: 24)
            return strip.rgb8().filter { $0 > 200 }.count
        }
        for i in 0..<3 { XCTAssertGreaterThan(inkPixels(i), 30, "no label under tile \(i)") }
        XCTAssertEqual(inkPixels(3), 0)
        XCTAssertNotEqual(inkPixels(0), inkPixels(1), "the labels conv1 and fire3 drew the same ink")
    }

    func testChannelGalleryShowsTheMostActiveChannels() throws {
        let run = try dreamvideo(["gallery", try testPhoto("dog.jpg"), "-o", "ch.png", "--channels", "fire3:4"]
                                 + sq + quick + ["--size", "96x80"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let sheet = try decode("ch.png")
        XCTAssertEqual([sheet.width, sheet.height], [2 * 96 + 3 * 4, 2 * (80 + 24) + 3 * 4])
        // The channels named are the four the picture excites most.
        let network = try Network(model: try ModelStore().load(name: SqueezeNet.name), backend: .onednn, threads: 1)
        let image = try ImageDecoder().decode(path: try testPhoto("dog.jpg")).coverCropped(width: 96, height: 80)
        let means = try network.channelMeans(of: image.tensor, layer: "fire3")
        let top = means.indices.sorted { means[$0] > means[$1] }.prefix(4)
        for (i, c) in top.enumerated() { XCTAssertTrue(run.stderr.contains("tile \(i + 1)/4 fire3:\(c)"), run.stderr) }
    }

    // MARK: mistakes

    func testMistakes() throws {
        let photo = try testPhoto("dog.jpg")
        try expectError(["dream", photo, "-o", "a.png", "--layer", "nosuch"] + sq, mentions: ["nosuch", "fire9"])
        try expectError(["dream", photo, "-o", "a.png", "--model", "nosuchnet"], mentions: ["nosuchnet", "squeezenet1_1"])
        try expectError(["dream", photo, "-o", "a.jpg"] + sq, mentions: ["a.jpg", ".png"])
        try expectError(["dream", photo, "-o", "a.png", "--layer", "fire3:999"] + sq + quick, mentions: ["999"])
        try expectError(["dream", "nosuch.jpg", "-o", "a.png"] + sq, mentions: ["nosuch.jpg"])
        try expectError(["gallery", photo, "-o", "s.png", "--layers", "conv1,nosuch"] + sq, mentions: ["--layers", "nosuch"])
        try expectError(["gallery", photo, "-o", "s.png", "--layers", "conv1,,fire3"] + sq, mentions: ["--layers", "empty"])
        try expectError(["gallery", photo, "-o", "s.png", "--model", "nosuchnet"], mentions: ["nosuchnet"])
        try expectError(["gallery", photo, "-o", "s.png", "--layers", "fire3:x"] + sq, mentions: ["--layers", "fire3:x"])
        try expectError(["gallery", photo, "-o", "s.png", "--channels", "fire3:0"] + sq, mentions: ["--channels"])
        try expectError(["gallery", photo, "-o", "s.png", "--channels", "fire3", "--layers", "conv1"] + sq, mentions: ["--channels"])
        try expectError(["gallery", photo, "-o", "missing/s.png"] + sq, mentions: ["missing"])
        try expectError(["layers", "--model", "nosuchnet"], mentions: ["nosuchnet"])
        try expectError(["layers", "--size", "12x"], mentions: ["12x"])

        try write("an earlier picture\n", to: "kept.png")
        try expectError(["dream", photo, "-o", "kept.png"] + sq, mentions: ["kept.png", "--overwrite"])
        try expectError(["gallery", photo, "-o", "kept.png"] + sq, mentions: ["kept.png", "--overwrite"])
        XCTAssertEqual(try String(contentsOfFile: dir + "/kept.png", encoding: .utf8), "an earlier picture\n")
        let run = try dreamvideo(["dream", photo, "-o", "kept.png", "--overwrite", "--size", "96x80"] + sq + quick)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try decode("kept.png").width, 96)
    }

    /// A folder the command cannot write, every way this machine offers (ReadOnlyFolder.swift).
    func testReadOnlyOutputFolder() throws {
        try FileManager.default.copyItem(atPath: try testPhoto("dog.jpg"), toPath: dir + "/dog.jpg")
        for ro in try readOnlyFolders("ro") {
            let name = (ro.path as NSString).lastPathComponent
            try expectRefusal(["dream", "dog.jpg", "-o", name + "/a.png"] + sq + quick, mentions: [name, ro.reason], run: ro.run)
            try expectRefusal(["gallery", "dog.jpg", "-o", name + "/s.png"] + sq + quick, mentions: [name, ro.reason], run: ro.run)
            XCTAssertEqual(try listing(ro.path), [], ro.how)
        }
    }

    // MARK: a preset on another network

    func testTheDefaultPresetWalksAnotherNetworksLayers() throws {
        let run = try dreamvideo([try testPhoto("dog.jpg")] + sq + ["--size", "96x80", "--frames", "2", "--octaves", "1",
                                                                     "--steps", "1", "--frames-dir", "frames"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let guide = try XCTUnwrap(LayerGuide.of(SqueezeNet.name))
        XCTAssertTrue(run.stderr.contains("mixed -> \(guide.walk[0])"), run.stderr)
        XCTAssertTrue(run.stderr.contains("mixed_6 -> \(guide.walk.last!)"), run.stderr)
        let settings = try String(contentsOfFile: dir + "/frames.json", encoding: .utf8)
        XCTAssertTrue(settings.contains("\"\(guide.walk[0])\""), settings)
        XCTAssertFalse(settings.contains("\"mixed\""), settings)
        // A schedule file of one's own is not rewritten: its layers must be the network's.
        try write("{\"model\": \"inception_v3\", \"segments\": [{\"layer\": \"mixed_3\", \"frames\": 2}]}", to: "mine.json")
        let mine = try dreamvideo([try testPhoto("dog.jpg"), "--schedule", "mine.json"] + sq + ["--size", "96x80", "-o", "m.mp4"])
        XCTAssertEqual(mine.status, 1)
        XCTAssertTrue(mine.stderr.contains("mixed_3"), mine.stderr)
    }

    func testRootHelpListsTheNewCommands() throws {
        let run = try dreamvideo(["--help"])
        for name in ["models", "layers", "dream", "gallery"] {
            XCTAssertTrue(run.stdout.contains("  \(name) "), "--help does not list \(name):\n\(run.stdout)")
            let sub = try dreamvideo([name, "--help"])
            XCTAssertEqual(sub.status, 0, sub.stderr)
            XCTAssertTrue(sub.stdout.contains("dreamvideo \(name)"), sub.stdout)
        }
    }
}
