import Foundation
import FrameLoop
import Net
import XCTest
import Imaging
import Schedule

/// VideoDream's bookkeeping with an exact toy network: frame settings by number, past the schedule's end.
final class VideoDreamTests: XCTestCase {
    func moving(_ t: Int) -> FloatImage {
        var img = FloatImage(width: 80, height: 60)
        let n = 80 * 60
        for y in 0..<60 { for x in 0..<80 { for c in 0..<3 {
            img.pixels[c * n + y * 80 + x] = Float(128 + 60 * sin(Double(x - 2 * t) * 0.3 + Double(c)) * cos(Double(y) * 0.2))
        } } }
        return img
    }

    func testAScheduleShorterThanTheVideoContinuesWithItsLastSegment() throws {
        let schedule = try Schedule(json: """
            {"defaults": {"octaves": 1, "steps": 2, "warm_steps": 1, "jitter": 4, "zoom": 1.1, "colour_coherence": 0},
             "segments": [{"layer": "edges", "frames": 2}]}
            """, source: "t.json").resolved(layers: ["edges"], network: "edge_energy")
        let net = EdgeEnergyNetwork()
        var state = VideoDream.State(seed: 3)
        let dreamer = VideoDream(carry: 0.5)
        var out: [FloatImage] = []
        for t in 0..<5 { out.append(try dreamer.next(moving(t), state: &state, network: net, schedule: schedule)) }
        XCTAssertEqual(state.framesDone, 5)
        // First frame: 2 steps; the carried frames after it: the warm 1 step each, past frame 2 as well.
        XCTAssertEqual(net.calls.count, 2 + 4 * 1)
        XCTAssertTrue(out.allSatisfy { $0.width == 80 && $0.height == 60 })
        // The frames follow the video (not the first frame, not a camera's zoom).
        func meanDiff(_ a: FloatImage, _ b: FloatImage) -> Float { zip(a.pixels, b.pixels).map { abs($0 - $1) }.reduce(0, +) / Float(a.pixels.count) }
        XCTAssertLessThan(meanDiff(out[4], moving(4)), 0.5 * meanDiff(out[4], moving(0)))
        XCTAssertEqual(state.previousSource, moving(4))

        // Dreamed on its own (carry 0), every frame gets the full steps: nothing is warm.
        let alone = EdgeEnergyNetwork()
        var s2 = VideoDream.State(seed: 3)
        for t in 0..<3 { _ = try VideoDream(carry: 0).next(moving(t), state: &s2, network: alone, schedule: schedule) }
        XCTAssertEqual(alone.calls.count, 3 * 2)
    }

    /// A video's frames get the palette-keeping colour coherence a still's frames get: toward
    /// --palette's colours as a whole distribution (a mean-and-spread pull brings a recoloured logo
    /// only to 0.18 of its a*b* histogram, PaletteTests).
    func testColourCoherenceKeepsThePalette() throws {
        let schedule = try Schedule(json: """
            {"defaults": {"octaves": 1, "steps": 1, "jitter": 0, "colour_coherence": 1},
             "segments": [{"layer": "edges", "frames": 2}]}
            """, source: "t.json").resolved(layers: ["edges"], network: "edge_energy")
        let logo = PaletteTests.logo()
        let drifted = PaletteTests.recoloured(logo)
        var state = VideoDream.State(seed: 2, palette: ColourPalette(of: logo))
        let out = try VideoDream(carry: 0).next(drifted, state: &state, network: EdgeEnergyNetwork(), schedule: schedule)
        func overlap(_ a: FloatImage, _ b: FloatImage) -> Double {
            PaletteOverlap.intersection(PaletteOverlap.histogram(of: a), PaletteOverlap.histogram(of: b))
        }
        XCTAssertLessThan(overlap(logo, drifted), 0.5)
        // 0.59 here; ChromaLimit keeps the logo's colours off the pale pixels, which bounds it.
        XCTAssertGreaterThan(overlap(logo, out), 0.45)
        // Without --palette, toward the frame's own source: its colours stay.
        var own = VideoDream.State(seed: 2)
        let kept = try VideoDream(carry: 0).next(drifted, state: &own, network: EdgeEnergyNetwork(), schedule: schedule)
        XCTAssertGreaterThan(overlap(drifted, kept), 0.8)
    }

    func testTheStateSurvivesEncoding() throws {
        var state = VideoDream.State(seed: 1)
        state.previousSource = moving(0); state.previousDream = moving(1); state.framesDone = 1
        let back = try JSONDecoder().decode(VideoDream.State.self, from: JSONEncoder().encode(state))
        XCTAssertEqual(back, state)
    }
}
