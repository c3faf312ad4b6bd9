import XCTest
import Foundation
import Net
import FrameLoop
import TestSupport
import Imaging
import Schedule
import Files

final class ScheduleTests: XCTestCase {
    let inception = ["conv", "conv_1", "conv_2", "conv_3", "conv_4", "mixed", "mixed_1", "mixed_2", "mixed_3", "mixed_4",
                     "mixed_5", "mixed_6", "mixed_7", "mixed_8", "mixed_9", "mixed_10"]

    let example = """
    { "model": "inception_v3",
      "defaults": {"octaves": 3, "octave_scale": 1.4, "steps": 10, "step_size": 1.5, "jitter": 32, "zoom": 1.05},
      "segments": [ {"layer": "mixed_3", "frames": 150},
                    {"layers": {"mixed_4": 1.0, "mixed_5": 0.5}, "frames": 150, "steps": 6, "zoom": 1.03} ] }
    """

    /// The message a malformed schedule gets, or a failure if it was accepted.
    func message(_ json: String, file: String = "s.json", layers: [String]? = nil) -> String {
        do {
            let s = try Schedule(json: json, source: file)
            if let layers { _ = try s.resolved(layers: layers, network: "inception_v3") }
            XCTFail("accepted: \(json)")
            return ""
        } catch {
            return error.description
        }
    }

    func testValidFileResolvesToPerFrameSettings() throws {
        let s = try Schedule(json: example, source: "example.json")
        XCTAssertEqual(s.model, "inception_v3")
        XCTAssertEqual(s.totalFrames, 300)
        let r = try s.resolved(layers: inception, network: "inception_v3")
        XCTAssertEqual(r.totalFrames, 300)

        let f1 = r.segment(forFrame: 1), f150 = r.segment(forFrame: 150), f151 = r.segment(forFrame: 151), f300 = r.segment(forFrame: 300)
        XCTAssertEqual(f1, f150)
        XCTAssertEqual(f151, f300)
        XCTAssertEqual(f1.objective, Objective(layer: "mixed_3"))
        XCTAssertEqual(f1.settings.dream, DreamSettings(octaves: 3, octaveScale: 1.4, steps: 10, stepSize: 1.5, jitter: 32))
        XCTAssertEqual(f1.settings.camera.zoom, 1.05)
        XCTAssertEqual(f151.objective, Objective(terms: [.init(layer: "mixed_4", weight: 1), .init(layer: "mixed_5", weight: 0.5)]))
        XCTAssertEqual(f151.settings.dream.steps, 6)
        XCTAssertEqual(f151.settings.dream.octaves, 3)       // from defaults
        XCTAssertEqual(f151.settings.camera.zoom, 1.03)
        XCTAssertEqual(f151.firstFrame, 151)
        XCTAssertEqual(f151.layerDescription, "mixed_4*1 + mixed_5*0.5")
        XCTAssertEqual(f1.layerDescription, "mixed_3")
    }

    func testBuiltInDefaultsWhereTheFileIsSilent() throws {
        let s = try Schedule(json: #"{"segments": [{"layer": "mixed_3", "frames": 2, "rotate": -1.5, "translate_x": 2, "center_y": 0.25}]}"#,
                             source: "x.json")
        XCTAssertNil(s.model)
        let seg = s.segments[0].settings
        XCTAssertEqual(seg.dream, DreamSettings())
        XCTAssertEqual(seg.camera, Camera(zoom: 1.05, rotation: -1.5, translationX: 2, centreY: 0.25))
    }

    func testLoadsAFileAndNamesItInErrors() throws {
        let dir = URL(fileURLWithPath: try makeTempDir())
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.json").path
        try example.write(toFile: good, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Schedule.load(path: good).totalFrames, 300)
        let bad = dir.appendingPathComponent("bad.json").path
        try #"{"segments": [{"layer": "mixed_3", "frames": 0}]}"#.write(toFile: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Schedule.load(path: bad)) { e in
            XCTAssertEqual("\(e)", "\(bad): segments[0].frames: 0 frames; the frame count must be a whole number of at least 1")
        }
        XCTAssertThrowsError(try Schedule.load(path: dir.appendingPathComponent("none.json").path)) { e in
            XCTAssertTrue("\(e)".hasSuffix("none.json: cannot read the schedule: no such file"), "\(e)")
        }
    }

    /// A schedule is read like every file a user names (BoundedFile): a FIFO or a device is refused
    /// at once, not waited on or read without end.
    func testScheduleThatIsNotAFileIsRefused() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertEqual(mkfifo(dir + "/pipe.json", 0o600), 0)
        XCTAssertThrowsError(try Schedule.load(path: dir + "/pipe.json")) { e in
            XCTAssertEqual("\(e)", "\(dir)/pipe.json: cannot read the schedule: it is a FIFO (named pipe), not a file; give a JSON file")
        }
        XCTAssertThrowsError(try Schedule.load(path: "/dev/zero")) { e in
            XCTAssertEqual("\(e)", "/dev/zero: cannot read the schedule: it is a character device, not a file; give a JSON file")
        }
    }

    func testInvalidJSONGivesLineAndColumn() {
        let json = "{\n  \"segments\": [\n    {\"layer\": \"mixed_3\" \"frames\": 3}\n  ]\n}"
        XCTAssertEqual(message(json, file: "bad.json"),
                       "bad.json:3:25: not valid JSON: expected ',' or '}' after the value of \"layer\", found '\"'; fix the file there")
        XCTAssertEqual(message("{\"segments\": [1, 2,]}"), "s.json:1:20: not valid JSON: expected a value, found ']'; fix the file there")
        XCTAssertTrue(message("").hasPrefix("s.json:1:1: not valid JSON: expected a value, found the end of the file"))
        XCTAssertTrue(message("{\"a\": 1, \"a\": 2}").contains("s.json:1:10: not valid JSON: key \"a\" appears twice"))
    }

    /// Issue 10 item 6: 50,000 nested brackets (100 KB) overflowed the stack. Nesting stops at 64 levels
    /// with one line naming the file and the place; 64 levels still parse.
    func testScheduleNestedTooDeepIsRefused() {
        let deep = "{\"segments\": " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "}"
        // The first "[" is column 14; the 64th list (65th level with the object) is refused at column 13 + 64.
        XCTAssertEqual(message(deep, file: "deep.json"),
                       "deep.json:1:77: not valid JSON: lists and objects are nested more than 64 deep here; a schedule needs 4 levels; fix the file there")
        // The object itself is level 1: 63 lists inside it reach 64 and are valid JSON (then the wrong shape of schedule).
        let ok = "{\"segments\": " + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + "}"
        XCTAssertTrue(message(ok).contains("segments[0]: expected an object"), message(ok))
        let over = "{\"segments\": " + String(repeating: "[", count: 64) + String(repeating: "]", count: 64) + "}"
        XCTAssertTrue(message(over).contains("nested more than 64 deep"), message(over))
        // Objects count the same as lists.
        // Each level is 6 characters ({"a": ), so the 65th opens at column 6 * 64 + 1.
        let objects = String(repeating: "{\"a\": ", count: 65) + "1" + String(repeating: "}", count: 65)
        XCTAssertTrue(message(objects).contains("s.json:1:385: not valid JSON: lists and objects are nested more than 64 deep"), message(objects))
    }

    /// Issue 10 item 11: a one-line 400 KB schedule took 30 s or more (each value's column was counted from the
    /// line's start, each key compared with every earlier key). Speed is not timed here (the report gives the
    /// before/after); this checks such a file parses, and that the places the parser now counts incrementally
    /// are still exact at the end of a long line, after multi-byte characters, and on later lines.
    func testOneLineLargeScheduleParsesWithExactPlaces() throws {
        let keys = (0..<30_000).map { "\"\($0)\": 1.01" }.joined(separator: ",")
        let json = #"{"segments": [{"layer": "mixed_3", "frames": 10, "zoom": {"# + keys + "}}]}"
        XCTAssertGreaterThan(json.utf8.count, 400_000)
        XCTAssertFalse(json.contains("\n"))
        let s = try Schedule(json: json, source: "long.json")
        XCTAssertEqual(s.segments[0].settings.cameraKeyframes.zoom?.keys.count, 30_000)
        XCTAssertEqual(s.segments[0].settings.cameraKeyframes.zoom?.keys.last?.frame, 29_999)

        // A key repeated at the very end: its column is counted in characters, "é" and "日" are one each.
        let prefix = #"{"défaut日": {"# + keys + ", "
        let dup = prefix + #""29999": 2}}"#
        XCTAssertEqual(message(dup, file: "dup.json"),
                       "dup.json:1:\(prefix.count + 1): not valid JSON: key \"29999\" appears twice in the same object; fix the file there")
        // The same on the third line, after long lines.
        let lines = "{\"a\": [\(keys.count)],\n \"b\": {\"é\": [1, 2, 3],\n   \"x\": 1, \"x\": 2}}"
        XCTAssertEqual(message(lines), "s.json:3:12: not valid JSON: key \"x\" appears twice in the same object; fix the file there")
    }

    func testUnknownLayerListsLayersAndSuggests() {
        let json = #"{"segments": [{"layer": "mixed_3", "frames": 5}, {"layer": "mixed_3", "frames": 5}, {"layer": "mixed3", "frames": 5}]}"#
        XCTAssertEqual(message(json, layers: inception),
                       "s.json: segments[2].layer: \"mixed3\" is not a layer of inception_v3 (did you mean \"mixed_3\"?); its layers: "
                       + inception.joined(separator: ", "))
        let blend = #"{"segments": [{"layers": {"mixed_4": 1, "banana": 2}, "frames": 5}]}"#
        let m = message(blend, layers: inception)
        XCTAssertTrue(m.hasPrefix("s.json: segments[0].layers.banana: \"banana\" is not a layer of inception_v3; its layers: conv, "), m)
    }

    func testNonPositiveFrames() {
        XCTAssertEqual(message(#"{"segments": [{"layer": "mixed_3", "frames": -4}]}"#),
                       "s.json: segments[0].frames: -4 frames; the frame count must be a whole number of at least 1")
        XCTAssertEqual(message(#"{"segments": [{"layer": "mixed_3", "frames": 2.5}]}"#),
                       "s.json: segments[0].frames: expected a whole number of frames, found the number 2.5")
        XCTAssertEqual(message(#"{"segments": [{"layer": "mixed_3"}]}"#),
                       "s.json: segments[0]: missing \"frames\"; give the segment's length, such as \"frames\": 100")
    }

    func testOutOfRangeSaysTheRange() {
        XCTAssertEqual(message(#"{"defaults": {"zoom": 3}, "segments": [{"layer": "mixed_3", "frames": 1}]}"#),
                       "s.json: defaults.zoom: 3 is out of range; use a value in 0.5...2")
        XCTAssertEqual(message(#"{"segments": [{"layer": "mixed_3", "frames": 1}, {"layer": "mixed_3", "frames": 1, "octaves": 0}]}"#),
                       "s.json: segments[1].octaves: 0 is out of range; use a value in 1...8 (whole numbers)")
        XCTAssertEqual(message(#"{"segments": [{"layer": "mixed_3", "frames": 1, "steps": 2.5}]}"#),
                       "s.json: segments[0].steps: expected a whole number, found the number 2.5")
        XCTAssertEqual(message(#"{"segments": [{"layer": "mixed_3", "frames": 1, "step_size": "big"}]}"#),
                       "s.json: segments[0].step_size: expected a number in 0...50, found the text \"big\"")
        XCTAssertEqual(message(#"{"segments": [{"layers": {"mixed_3": 0}, "frames": 1}]}"#),
                       "s.json: segments[0].layers.mixed_3: 0 is out of range; use a value in -100...100, not 0")
    }

    func testUnknownKeySuggestsTheClosest() {
        let segKeys = "layer, layers, frames, octaves, octave_scale, steps, step_size, jitter, zoom, rotate, translate_x, translate_y, center_x, center_y, colour_coherence, sharpen, warm_steps, warm_octaves, cadence, transition, lap_levels, dream_scale, mask_strength, easing"
        XCTAssertEqual(message(#"{"segments": [{"layer": "mixed_3", "frames": 1, "setps": 4}]}"#),
                       "s.json: segments[0]: unknown key \"setps\" (did you mean \"steps\"?); valid keys here: \(segKeys)")
        XCTAssertEqual(message(#"{"segment": []}"#),
                       "s.json: top level: unknown key \"segment\" (did you mean \"segments\"?); valid keys here: model, defaults, segments")
        XCTAssertTrue(message(#"{"defaults": {"octave-scale": 1.2}, "segments": []}"#)
            .hasPrefix("s.json: defaults: unknown key \"octave-scale\" (did you mean \"octave_scale\"?); valid keys here: octaves, "))
        XCTAssertTrue(message(#"{"defaults": {"frames": 3}, "segments": []}"#).hasPrefix("s.json: defaults: unknown key \"frames\"; valid keys here:"))
    }

    func testMissingOrConflictingLayer() {
        XCTAssertEqual(message(#"{"segments": [{"frames": 3}]}"#),
                       "s.json: segments[0]: missing \"layer\"; give \"layer\": \"NAME\" or \"layers\": {\"NAME\": 1.0, ...}")
        XCTAssertEqual(message(#"{"segments": [{"layer": "a", "layers": {"b": 1}, "frames": 3}]}"#),
                       "s.json: segments[0]: has both \"layer\" and \"layers\"; keep only one")
        XCTAssertEqual(message(#"{"segments": [{"layer": 3, "frames": 3}]}"#),
                       "s.json: segments[0].layer: expected a layer name in double quotes, found the number 3")
        XCTAssertTrue(message(#"{"segments": [{"layers": {}, "frames": 3}]}"#).hasPrefix("s.json: segments[0].layers: is empty; "))
        XCTAssertTrue(message(#"{"segments": []}"#).hasPrefix("s.json: segments: is empty; "))
        XCTAssertTrue(message(#"{"model": "inception_v3"}"#).hasPrefix("s.json: top level: missing \"segments\"; "))
        XCTAssertEqual(message("[1]"), "s.json: top level: expected an object in braces { }, found a list")
    }

    func testModelValidation() throws {
        let s = try Schedule(json: #"{"model": "inceptionv3", "segments": [{"layer": "x", "frames": 1}]}"#, source: "m.json")
        XCTAssertThrowsError(try s.validate(models: ["inception_v3", "squeezenet1_1"])) { e in
            XCTAssertEqual("\(e)", "m.json: model: unknown model \"inceptionv3\" (did you mean \"inception_v3\"?); models: inception_v3, squeezenet1_1")
        }
    }

    func testOverridesApplyToEverySegment() throws {
        let s = try Schedule(json: example, source: "example.json")
        let o = try s.applying(Overrides(octaves: 2, steps: 3, jitter: 8, zoom: 1.1))
        XCTAssertEqual(o.segments.map(\.settings.dream.octaves), [2, 2])
        XCTAssertEqual(o.segments.map(\.settings.dream.steps), [3, 3])
        XCTAssertEqual(o.segments.map(\.settings.dream.jitter), [8, 8])
        XCTAssertEqual(o.segments.map(\.settings.camera.zoom), [1.1, 1.1])
        XCTAssertEqual(o.segments.map(\.settings.dream.stepSize), [1.5, 1.5])   // untouched
        XCTAssertEqual(o.totalFrames, 300)
    }

    func testFramesOverrideCutsTheSchedule() throws {
        let s = try Schedule(json: example, source: "example.json")
        let cut = try s.applying(Overrides(frames: 160))
        XCTAssertEqual(cut.segments.map(\.frames), [150, 10])
        XCTAssertEqual(try s.applying(Overrides(frames: 20)).segments.map(\.frames), [20])
        XCTAssertEqual(try s.applying(Overrides(frames: 1000)).totalFrames, 300)
    }

    func testLayerOverrideMakesOneSegment() throws {
        let s = try Schedule(json: example, source: "example.json")
        let one = try s.applying(Overrides(layer: "mixed_7", frames: 12, stepSize: 2))
        XCTAssertEqual(one.segments.count, 1)
        XCTAssertEqual(one.segments[0].frames, 12)
        XCTAssertEqual(one.segments[0].layers.map(\.name), ["mixed_7"])
        XCTAssertEqual(one.segments[0].settings.dream.stepSize, 2)
        XCTAssertEqual(one.segments[0].settings.camera.zoom, 1.05)     // the file's defaults
        XCTAssertEqual(one.model, "inception_v3")
        let bad = try s.applying(Overrides(layer: "mixed_77", frames: 12))
        XCTAssertThrowsError(try bad.resolved(layers: inception, network: "inception_v3")) { e in
            XCTAssertTrue("\(e)".hasPrefix("command line: --layer: \"mixed_77\" is not a layer of inception_v3 (did you mean \"mixed_7\"?); its layers: conv,"), "\(e)")
        }
    }

    func testOverridesOutOfRangeNameTheFlag() throws {
        let s = try Schedule(json: example, source: "example.json")
        XCTAssertThrowsError(try s.applying(Overrides(octaveScale: 9))) { e in
            XCTAssertEqual("\(e)", "command line: --octave-scale: 9 is out of range; use a value in 1...4")
        }
        XCTAssertThrowsError(try s.applying(Overrides(frames: 0))) { e in
            XCTAssertEqual("\(e)", "command line: --frames: 0 frames; the frame count must be a whole number of at least 1")
        }
    }
}
