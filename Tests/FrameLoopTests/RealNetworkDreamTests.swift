import XCTest
import Foundation
import Net
import FrameLoop
import TestSupport
import Imaging
import Schedule

/// Dreaming with a real ImageNet-trained network: squeezenet1_1 on the plain-Swift ReferenceEngine,
/// on a real photo, small so the reference loops stay quick.
final class RealNetworkDreamTests: XCTestCase {
    static let side = 96

    func squeezeNet() throws -> Network {
        let store = try TestData.store(with: "squeezenet1_1")
        let model = try store.load(name: "squeezenet1_1")
        return Network(model: model, engine: ReferenceEngine(graph: model.graph))
    }

    /// dog.jpg decoded by ffmpeg (so this module's tests do not depend on Media), then cover-cropped
    /// by our own resampler to side x side.
    func dog() throws -> FloatImage {
        let (w, h) = (192, 144)
        let bytes = try TestData.photoRGB("dog.jpg", width: w, height: h)
        return FloatImage(rgb8: bytes, width: w, height: h).coverCropped(width: Self.side, height: Self.side)
    }

    // squeezenet1_1 takes inputs far smaller than Inception's 75 px, so the small octave (69 px) is kept.
    let settings = DreamSettings(octaves: 2, octaveScale: 1.4, steps: 2, stepSize: 1.5, jitter: 8, minimumOctaveSide: 32)

    func testDreamRaisesTheObjectiveAndChangesTheImage() throws {
        let net = try squeezeNet()
        let img = try dog()
        XCTAssertEqual(img.width, Self.side)
        let objective = Objective(layer: "fire4")
        var rng = SeededRandom(seed: 11)
        let out = try dream(img, network: net, objective: objective, settings: settings, rng: &rng)
        let before = try net.gradient(of: objective, at: img.tensor).value
        let after = try net.gradient(of: objective, at: out.tensor).value
        print("squeezenet1_1 fire4 objective: \(before) -> \(after)")
        XCTAssertGreaterThan(after, before * 1.05)
        let meanChange = zip(out.pixels, img.pixels).map { abs($0 - $1) }.reduce(0, +) / Float(img.pixels.count)
        print("mean absolute pixel change: \(meanChange)")
        XCTAssertGreaterThan(meanChange, 0.5)
        XCTAssertGreaterThanOrEqual(out.pixels.min()!, 0)
        XCTAssertLessThanOrEqual(out.pixels.max()!, 255)
    }

    func testSameSeedGivesIdenticalDreams() throws {
        let net = try squeezeNet()
        let img = try dog()
        let objective = Objective(terms: [.init(layer: "fire3", weight: 1), .init(layer: "fire5", weight: 0.5)])
        var r1 = SeededRandom(seed: 21), r2 = SeededRandom(seed: 21), r3 = SeededRandom(seed: 22)
        let a = try dream(img, network: net, objective: objective, settings: settings, rng: &r1)
        let b = try dream(img, network: net, objective: objective, settings: settings, rng: &r2)
        let c = try dream(img, network: net, objective: objective, settings: settings, rng: &r3)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    func testThreeFrameLoopIntoACollectingSink() throws {
        let net = try squeezeNet()
        let schedule = try Schedule(json: """
            {"model": "squeezenet1_1",
             "defaults": {"octaves": 2, "steps": 2, "jitter": 8, "zoom": 1.05},
             "segments": [{"layer": "fire4", "frames": 2}, {"layers": {"fire5": 1, "fire3": 0.5}, "frames": 1, "rotate": 2}]}
            """, source: "real.json")
        try schedule.validate(models: ModelStore.known.map(\.name))
        let resolved = try schedule.resolved(for: net)
        let sink = CollectingSink()
        var reports: [FrameProgress] = []
        let start = try dog().coverCropped(width: 112, height: 80)
        try ZoomLoop().run(start: start, network: net, schedule: resolved, seed: 3, sink: sink) { reports.append($0) }
        XCTAssertEqual(sink.frames.count, 3)
        XCTAssertTrue(sink.frames.allSatisfy { $0.width == 112 && $0.height == 80 })
        XCTAssertNotEqual(sink.frames[0], sink.frames[1])
        XCTAssertEqual(reports.map(\.layers), ["fire4", "fire4", "fire5*1 + fire3*0.5"])
        print("squeezenet1_1 reference, 112x80, 2 octaves x 2 steps: \(reports.map(\.seconds)) s per frame")
    }

    func testUnknownLayerIsRefusedAgainstTheRealNetwork() throws {
        let net = try squeezeNet()
        let s = try Schedule(json: #"{"segments": [{"layer": "fire_4", "frames": 1}]}"#, source: "x.json")
        XCTAssertThrowsError(try s.resolved(for: net)) { e in
            XCTAssertTrue("\(e)".hasPrefix("x.json: segments[0].layer: \"fire_4\" is not a layer of squeezenet1_1 (did you mean \"fire4\"?); its layers: conv1, "), "\(e)")
        }
    }

    func testGuideWeightsTheChannelsTheGuideExcites() throws {
        let net = try squeezeNet()
        let photo = try dog()
        let schedule = try Schedule(json: #"{"segments": [{"layers": {"fire3": 1, "fire4:5": 0.5}, "frames": 2}]}"#,
                                    source: "t.json").resolved(for: net)
        let guided = try schedule.guided(by: photo, network: net, channels: 8)
        let terms = guided.segments[0].objective.terms
        XCTAssertEqual(terms.count, 9)   // 8 guided channels of fire3, and fire4:5 as given
        XCTAssertEqual(terms.last, Objective.Term(layer: "fire4", weight: 0.5, channels: [5]))
        let fire3 = terms.filter { $0.layer == "fire3" }
        XCTAssertEqual(fire3.map(\.weight).reduce(0, +), 1, accuracy: 1e-4)
        XCTAssertEqual(Set(fire3.compactMap(\.channels?.first)).count, 8)
        // The chosen channels are the ones most active on the guide, strongest first.
        let a = try net.activations(of: photo.tensor, layers: ["fire3"])[0]
        let plane = a.shape[1] * a.shape[2]
        let means = (0..<a.shape[0]).map { c in a.data[(c * plane)..<((c + 1) * plane)].reduce(0, +) / Float(plane) }
        let top = means.indices.sorted { means[$0] > means[$1] }.prefix(8)
        XCTAssertEqual(fire3.compactMap(\.channels?.first), Array(top))
        XCTAssertTrue(guided.segments[0].layerDescription.hasSuffix("(guided)"))
        // Another guide picks other channels; the guided objective dreams.
        var flat = photo
        for i in flat.pixels.indices { flat.pixels[i] = i % 7 == 0 ? 240 : 30 }
        let other = try schedule.guided(by: flat, network: net, channels: 8).segments[0].objective.terms
        XCTAssertNotEqual(other.compactMap(\.channels?.first), fire3.compactMap(\.channels?.first) + [5])
        var rng = SeededRandom(seed: 1)
        let out = try dream(photo, network: net, objective: guided.segments[0].objective, settings: settings, rng: &rng)
        XCTAssertGreaterThan(try net.gradient(of: guided.segments[0].objective, at: out.tensor).value,
                             try net.gradient(of: guided.segments[0].objective, at: photo.tensor).value)
    }
}
