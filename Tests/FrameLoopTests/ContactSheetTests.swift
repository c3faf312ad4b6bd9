import FrameLoop
import Net
import XCTest
import Imaging
import Schedule

final class ContactSheetTests: XCTestCase {
    func testEveryGlyphIsFiveByNineAndDistinct() {
        let chars = "abcdefghijklmnopqrstuvwxyz0123456789_:,.-+=*/()?"
        var seen: [String: Character] = [:]
        for ch in chars {
            var image = FloatImage(width: BitmapFont.glyphWidth, height: BitmapFont.glyphHeight)
            BitmapFont.draw(String(ch), into: &image, x: 0, y: 0, scale: 1, colour: (255, 255, 255))
            let bits = image.pixels.prefix(image.width * image.height).map { $0 > 0 ? "#" : "." }.joined()
            XCTAssertTrue(bits.contains("#"), "\(ch) draws nothing")
            if let other = seen[bits] { XCTFail("\(ch) looks like \(other)") }
            seen[bits] = ch
        }
        // Upper case is drawn as lower case; anything unknown as ?.
        func drawn(_ s: String) -> [Float] {
            var image = FloatImage(width: 12, height: 9)
            BitmapFont.draw(s, into: &image, x: 0, y: 0, scale: 1, colour: (255, 0, 0))
            return image.pixels
        }
        XCTAssertEqual(drawn("Ab"), drawn("ab"))
        XCTAssertEqual(drawn("é"), drawn("?"))
        XCTAssertNotEqual(drawn("l1"), drawn("11"))
    }

    func testTextIsDrawnAtItsPlaceAndScaleOnly() {
        var image = FloatImage(width: 40, height: 30, fill: 7)
        BitmapFont.draw("a1", into: &image, x: 3, y: 2, scale: 2, colour: (200, 100, 50))
        let plane = 40 * 30
        var inkColumns = Set<Int>(), inkRows = Set<Int>()
        for y in 0..<30 { for x in 0..<40 where image.pixels[y * 40 + x] != 7 {
            XCTAssertEqual(image.pixels[y * 40 + x], 200); XCTAssertEqual(image.pixels[plane + y * 40 + x], 100)
            XCTAssertEqual(image.pixels[2 * plane + y * 40 + x], 50)
            inkColumns.insert(x); inkRows.insert(y)
        } }
        XCTAssertGreaterThanOrEqual(inkColumns.min() ?? -1, 3)
        XCTAssertLessThan(inkColumns.max() ?? 99, 3 + BitmapFont.width(of: "a1", scale: 2))
        XCTAssertGreaterThanOrEqual(inkRows.min() ?? -1, 2)
        XCTAssertLessThan(inkRows.max() ?? 99, 2 + 2 * BitmapFont.glyphHeight)
        // Off the edge: clipped, no crash.
        BitmapFont.draw("mixed_10", into: &image, x: 30, y: 25, scale: 3, colour: (1, 1, 1))
    }

    func testSheetLayoutPastesEachTileAndLabelsIt() {
        let sheet = ContactSheet(tileWidth: 40, tileHeight: 20, columns: 3)
        XCTAssertEqual(ContactSheet.columns(for: 5), 3)
        XCTAssertEqual(ContactSheet.columns(for: 9), 3)
        XCTAssertEqual(ContactSheet.columns(for: 10), 4)
        let tiles = (0..<5).map { i in (image: FloatImage(width: 40, height: 20, fill: Float(60 + 30 * i)), label: "t\(i)") }
        let out = sheet.render(tiles)
        XCTAssertEqual(out.width, 3 * 40 + 4 * sheet.gap)
        XCTAssertEqual(out.height, 2 * (20 + sheet.labelHeight) + 3 * sheet.gap)
        for i in 0..<5 {
            let o = sheet.origin(of: i)
            XCTAssertEqual(out.cropped(x: o.x, y: o.y, width: 40, height: 20), tiles[i].image, "tile \(i) is not pasted whole")
            let strip = out.cropped(x: o.x, y: o.y + 20, width: 40, height: sheet.labelHeight)
            XCTAssertGreaterThan(strip.pixels.filter { $0 == ContactSheet.ink.red }.count, 20, "no label under tile \(i)")
        }
        let empty = sheet.origin(of: 5)
        XCTAssertEqual(Set(out.cropped(x: empty.x, y: empty.y, width: 40, height: 20 + sheet.labelHeight).pixels), [ContactSheet.background])
    }

    func testLongLabelsAreShrunkThenCut() {
        let sheet = ContactSheet(tileWidth: 100, tileHeight: 20, columns: 1)
        let tiles = [(image: FloatImage(width: 100, height: 20), label: "block5_conv4:511"),
                     (image: FloatImage(width: 100, height: 20), label: "a_very_long_layer_name_indeed:12")]
        let out = sheet.render(tiles)
        for i in 0..<2 {
            let o = sheet.origin(of: i)
            let strip = out.cropped(x: o.x, y: o.y + 20, width: 100, height: sheet.labelHeight)
            XCTAssertTrue(strip.pixels.contains(ContactSheet.ink.red))
            // Nothing drawn beyond the tile's width: the gap to the right stays background.
            let right = out.cropped(x: o.x + 100, y: o.y + 20, width: sheet.gap, height: sheet.labelHeight)
            XCTAssertEqual(Set(right.pixels), [ContactSheet.background])
        }
    }

    func testTheLayersPresetMapsOntoAnotherWalk() throws {
        let inception = try XCTUnwrap(LayerGuide.of(InceptionV3.name)), squeeze = try XCTUnwrap(LayerGuide.of(SqueezeNet.name))
        var settings = SegmentSettings(); settings.dream.steps = 7
        let preset = Schedule(source: "layers", model: InceptionV3.name, defaults: settings, segments: inception.walk.enumerated().map { i, l in
            Schedule.Segment(layers: [.init(name: l, place: "segments[\(i)]")], frames: 10 + i, settings: settings, place: "segments[\(i)]")
        })
        let mapped = preset.mapped(from: inception, onto: squeeze)
        XCTAssertEqual(mapped.model, SqueezeNet.name)
        XCTAssertEqual(mapped.segments.map(\.frames), preset.segments.map(\.frames))
        XCTAssertEqual(mapped.segments.map(\.settings), preset.segments.map(\.settings))
        XCTAssertEqual(mapped.segments.map { $0.layers.map(\.name) }, squeeze.walk.map { [$0] })
        _ = try mapped.resolved(layers: SqueezeNet.layers, network: SqueezeNet.name)
        // Deeper or shallower than the walk: its ends; channels dropped; layers landing together add up.
        XCTAssertEqual(squeeze.counterpart(of: "conv", in: inception), squeeze.walk.first)
        XCTAssertEqual(squeeze.counterpart(of: "mixed_10", in: inception), squeeze.walk.last)
        let blend = Schedule(source: "x", model: InceptionV3.name, segments: [Schedule.Segment(layers: [
            .init(name: "mixed_5", weight: 1, channels: [12], place: "a"), .init(name: "mixed_5", weight: 0.5, place: "b")],
            frames: 1, settings: settings, place: "s")])
        let m = blend.mapped(from: inception, onto: squeeze).segments[0].layers
        XCTAssertEqual(m.count, 1)
        XCTAssertEqual(m[0].weight, 1.5)
        XCTAssertNil(m[0].channels)
    }
    /// Every preset of the repository, moved onto every other network, names only that network's layers.
    func testEveryPresetMapsOntoEveryNetwork() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../presets").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let preset = try Schedule.load(path: folder.appendingPathComponent(file).path)
            let source = try XCTUnwrap(preset.model.flatMap(LayerGuide.of), "\(file) names no network with a guide")
            for target in LayerGuide.all {
                let mapped = preset.mapped(from: source, onto: target)
                XCTAssertNoThrow(try mapped.resolved(layers: target.layers.map(\.name), network: target.model), "\(file) on \(target.model)")
                XCTAssertEqual(mapped.totalFrames, preset.totalFrames)
                if target.model == source.model {
                    XCTAssertEqual(mapped.segments.map(\.layers), preset.segments.map { $0.layers.map { .init(name: $0.name, weight: $0.weight, place: $0.place) } })
                }
            }
        }
    }
}
