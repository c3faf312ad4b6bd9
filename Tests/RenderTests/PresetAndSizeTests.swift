import Foundation
import Net
import Render
import Schedule
import TestSupport
import XCTest

/// Preset lookup, the frame size a render takes, and gallery's layer lists, called directly.
final class PresetAndSizeTests: XCTestCase {
    func testAUsersFileWinsOverAPresetOfTheSameNameAndAPresetIsFoundByName() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let presets = dir + "/presets"
        try FileManager.default.createDirectory(atPath: presets, withIntermediateDirectories: false)
        try Data("{\"segments\": []}".utf8).write(to: URL(fileURLWithPath: presets + "/mine.json"))
        let locator = PresetLocator(environment: ["DREAMVIDEO_PRESETS": presets])
        let preset = try locator.locate("mine")
        XCTAssertEqual(preset.path, presets + "/mine.json")
        XCTAssertTrue(preset.isPreset)
        XCTAssertEqual(try locator.locate("mine.json").path, presets + "/mine.json")
        let own = try locator.locate(presets + "/mine.json")
        XCTAssertFalse(own.isPreset, "a path the user gives is the user's file, not a preset")
        XCTAssertEqual(locator.directories().first, presets)
        let message = RenderFixtures.message { _ = try locator.locate("no-such-schedule") }
        XCTAssertTrue(message.hasPrefix("no schedule file 'no-such-schedule' and no preset of that name in \(presets), "), message)
        XCTAssertTrue(message.hasSuffix("; give a path to a JSON schedule or a preset name such as layers"), message)
    }

    func testAPresetForAnotherNetworkIsMappedAndSaysHow() throws {
        // The checkout's own presets: quick is written for inception_v3.
        let (schedule, mapping) = try PresetLocator().schedule(for: "quick", model: "squeezenet1_1", overrides: Overrides())
        let note = try XCTUnwrap(mapping)
        XCTAssertTrue(note.hasPrefix("the quick preset is written for inception_v3; on squeezenet1_1 it walks "), note)
        XCTAssertFalse(schedule.segments.isEmpty)
        // With --layer the user chose the layer: nothing is mapped.
        XCTAssertNil(try PresetLocator().schedule(for: "quick", model: "squeezenet1_1", overrides: Overrides(layer: "fire3")).mapping)
    }

    func testSizeParsingRefusesWhatIsNotWidthByHeightOrOutOfRange() throws {
        XCTAssertEqual(try OutputSize(parsing: "640X360"), OutputSize(width: 640, height: 360))
        XCTAssertEqual(RenderFixtures.message { _ = try OutputSize(parsing: "640x") },
                       "--size '640x' is not WIDTHxHEIGHT; write it like --size 640x360")
        XCTAssertEqual(RenderFixtures.message { _ = try OutputSize(parsing: "74x360") },
                       "--size 74x360 is out of range; each side must be 75...8192 pixels")
    }

    func testWithoutSizeAPictureIsFittedEvenedAndRaised() {
        let phone = OutputSize.fitting(4000, 3000, name: "phone.jpg")
        XCTAssertEqual(phone.size, OutputSize(width: 1440, height: 1080))
        XCTAssertEqual(phone.clause, "the input's 4000x3000 fitted within 1920x1080; --size WxH for another")
        XCTAssertNil(phone.note)

        let odd = OutputSize.fitting(641, 361, name: "odd.png")
        XCTAssertEqual(odd.size, OutputSize(width: 640, height: 360))
        XCTAssertNil(odd.note)
        XCTAssertNil(odd.clause)

        let dot = OutputSize.fitting(1, 1, name: "dot.png")
        XCTAssertEqual(dot.size, OutputSize(width: 76, height: 76))
        XCTAssertEqual(dot.note, "note: dot.png is 1x1; it is dreamed at 76x76 (scaled up: the networks need at least 75 pixels "
                       + "a side); give --size WxH to choose another size")

        let strip = OutputSize.fitting(8, 2000, name: "strip.png")
        XCTAssertEqual(strip.size.width, 76)
        XCTAssertEqual(strip.size.height, 1080, "the long side is cropped to the box")
        XCTAssertTrue(strip.note?.contains("its long side cropped to fit 1920x1080") ?? false, strip.note ?? "no note")
    }

    func testDreamKeepsAPicturesSizeUpTo1280AndRaisesATinyOne() {
        let wide = StillSize.kept(RenderFixtures.picture(width: 2560, height: 1440), name: "wide.png")
        XCTAssertEqual([wide.image.width, wide.image.height], [1280, 720])
        XCTAssertNil(wide.note)
        let small = StillSize.kept(RenderFixtures.picture(width: 160, height: 96), name: "small.png")
        XCTAssertEqual([small.image.width, small.image.height], [160, 96])
        let dot = StillSize.kept(RenderFixtures.picture(width: 1, height: 1), name: "dot.png")
        XCTAssertEqual([dot.image.width, dot.image.height], [75, 75], "odd sides are kept for a PNG")
        XCTAssertNotNil(dot.note)
    }

    func testGalleryLayerListsUseTheScheduleGrammar() throws {
        _ = try TestData.store(with: "squeezenet1_1")
        let network = try EngineChoice.network("squeezenet1_1", threads: 1, precision: .f32)
        XCTAssertEqual(try GalleryLayers.layerList("fire3, fire7:12,40 ,fire9", network: network), ["fire3", "fire7:12,40", "fire9"])
        XCTAssertEqual(RenderFixtures.message { _ = try GalleryLayers.layerList("fire7:-1", network: network) },
                       "--layers: 'fire7:-1' is not LAYER or LAYER:CHANNEL; channels are whole numbers from 0, like mixed_5:12")
        XCTAssertTrue(RenderFixtures.message { _ = try GalleryLayers.layerList("fire7:12,pool9", network: network) }
                        .hasPrefix("--layers: \"pool9\" is not a layer of squeezenet1_1; its layers: "))
        XCTAssertEqual(RenderFixtures.message { _ = try GalleryLayers.layerList("fire3,,fire9", network: network) },
                       "--layers 'fire3,,fire9' has an empty entry; give layer names separated by commas, like --layers mixed_3,mixed_4")
        XCTAssertEqual(try GalleryLayers.channelRequest("fire9", network: network).count, GalleryLayers.defaultChannels)
    }
}
