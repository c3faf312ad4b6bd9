import XCTest
import Net
import FrameLoop
import Imaging
import Schedule

/// Colour coherence, keyframes, crossfades, cadence, warm start, sharpening and metrics.
final class LookTests: XCTestCase {
    func start() -> FloatImage { TestImages.smooth(width: 90, height: 70) }

    func lab(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
        let p = FloatImage(width: 1, height: 1, pixels: [r, g, b]).labPlanes()
        return (p[0], p[1], p[2])
    }

    func rms(_ img: FloatImage) -> Float {
        (img.pixels.map { $0 * $0 }.reduce(0, +) / Float(img.pixels.count)).squareRoot()
    }

    // MARK: colour

    func testLabKnownValuesAndRoundTrip() {
        // sRGB red, white and mid grey have published L*a*b* values (D65).
        let red = lab(255, 0, 0)
        XCTAssertEqual(red.0, 53.24, accuracy: 0.05); XCTAssertEqual(red.1, 80.09, accuracy: 0.1); XCTAssertEqual(red.2, 67.20, accuracy: 0.1)
        let white = lab(255, 255, 255)
        XCTAssertEqual(white.0, 100, accuracy: 0.01); XCTAssertEqual(white.1, 0, accuracy: 0.01); XCTAssertEqual(white.2, 0, accuracy: 0.01)
        let grey = lab(119, 119, 119)
        XCTAssertEqual(grey.0, 50, accuracy: 0.3)
        let img = start()
        let back = FloatImage(labPlanes: img.labPlanes(), width: img.width, height: img.height)
        for (a, b) in zip(img.pixels, back.pixels) where a >= 0 && a <= 255 { XCTAssertEqual(a, b, accuracy: 0.02) }
    }

    func testColourPullMovesStatisticsByTheStrength() {
        let img = start()
        // A darker, greyer copy: what a drifting zoom looks like.
        var drifted = img
        for i in drifted.pixels.indices { drifted.pixels[i] = 0.5 * drifted.pixels[i] + 30 }
        let ref = ColourStats(of: img), before = ColourStats(of: drifted)
        XCTAssertEqual(drifted.colourPulled(toward: ref, strength: 0), drifted)
        let full = ColourStats(of: drifted.colourPulled(toward: ref, strength: 1))
        XCTAssertEqual(full.meanL, ref.meanL, accuracy: 1.0)
        XCTAssertEqual(full.spreadA, ref.spreadA, accuracy: 0.1 * ref.spreadA)
        // Colours pushed past the gamut roll off inside it rather than clip at 0 or 255.
        var hot = img
        for i in hot.pixels.indices { hot.pixels[i] = hot.pixels[i] > 128 ? 255 : 0 }
        let rolled = hot.colourPulled(toward: ColourStats(of: hot), strength: 1)
        XCTAssertTrue(rolled.pixels.allSatisfy { $0 > 0.5 && $0 < 254.5 })
        XCTAssertEqual(VideoMetrics.figures(of: rolled).clipped, 0)
        let half = ColourStats(of: drifted.colourPulled(toward: ref, strength: 0.5))
        // Halfway (in log spread, linear mean), within clamping slack.
        XCTAssertEqual(half.meanL, (before.meanL + ref.meanL) / 2, accuracy: 1.0)
        XCTAssertEqual(half.spreadB, (before.spreadB * ref.spreadB).squareRoot(), accuracy: 0.1 * ref.spreadB)
    }

    func testColourCoherenceHoldsTheFrameLoopsPalette() throws {
        // Dreaming edge energy drives a picture toward saturated extremes; coherence holds it back.
        func run(_ strength: Double) throws -> FloatImage {
            let s = try Schedule(json: """
                {"defaults": {"octaves": 1, "steps": 3, "step_size": 6, "jitter": 4, "zoom": 1.05, "colour_coherence": \(strength)},
                 "segments": [{"layer": "edges", "frames": 8}]}
                """, source: "t.json").resolved(layers: ["edges"], network: "edge_energy")
            return try ZoomLoop().run(start: start(), network: EdgeEnergyNetwork(), schedule: s, seed: 1, sink: CollectingSink())
        }
        let ref = ColourStats(of: start())
        let off = ColourStats(of: try run(0)), on = ColourStats(of: try run(0.5))
        XCTAssertLessThan(abs(on.spreadL - ref.spreadL), abs(off.spreadL - ref.spreadL))
        XCTAssertLessThan(abs(on.meanL - ref.meanL) + abs(on.spreadA - ref.spreadA),
                          abs(off.meanL - ref.meanL) + abs(off.spreadA - ref.spreadA))
    }

    // MARK: keyframes and schedule keys

    func testKeyframesInterpolateWithEasing() {
        let k = Keyframes([(150, 1.02), (0, 1.05)])
        XCTAssertEqual(k.value(atFrame: -3, easing: .linear), 1.05)
        XCTAssertEqual(k.value(atFrame: 0, easing: .linear), 1.05)
        XCTAssertEqual(k.value(atFrame: 75, easing: .linear), 1.035, accuracy: 1e-12)
        XCTAssertEqual(k.value(atFrame: 75, easing: .smooth), 1.035, accuracy: 1e-12)   // smoothstep is symmetric
        XCTAssertEqual(k.value(atFrame: 15, easing: .smooth), 1.05 - 0.03 * 0.028, accuracy: 1e-12)
        XCTAssertLessThan(abs(k.value(atFrame: 15, easing: .smooth) - 1.05), abs(k.value(atFrame: 15, easing: .linear) - 1.05))
        XCTAssertEqual(k.value(atFrame: 400, easing: .smooth), 1.02)
    }

    func testScheduleKeyframesEasingAndNewKeys() throws {
        let s = try Schedule(json: """
            {"defaults": {"zoom": {"0": 1.05, "150": 1.02}, "rotate": 0.5, "easing": "smooth",
                          "colour_coherence": 0.4, "sharpen": 0.5, "warm_steps": 2, "warm_octaves": 1,
                          "cadence": 3, "transition": 10, "lap_levels": 4},
             "segments": [{"layer": "edges:0,2", "frames": 100}, {"layer": "edges", "frames": 100, "zoom": 0.98}]}
            """, source: "t.json")
        let a = s.segments[0].settings, b = s.segments[1].settings
        XCTAssertEqual(a.camera(forFrame: 1).zoom, 1.05)
        XCTAssertEqual(a.camera(forFrame: 76).zoom, 1.035, accuracy: 1e-12)
        XCTAssertEqual(a.camera(forFrame: 76).rotation, 0.5)
        XCTAssertEqual(b.camera(forFrame: 120).zoom, 0.98)   // a constant replaces inherited keyframes
        XCTAssertEqual(a.easing, .smooth)
        XCTAssertEqual(a.colourCoherence, 0.4); XCTAssertEqual(a.sharpen, 0.5); XCTAssertEqual(a.cadence, 3)
        XCTAssertEqual(a.transition, 10); XCTAssertEqual(a.dream.lapLevels, 4)
        XCTAssertEqual(a.dream(forFrame: 1).steps, 10); XCTAssertEqual(a.dream(forFrame: 2).steps, 2)
        XCTAssertEqual(a.dream(forFrame: 2).octaves, 1)
        XCTAssertEqual(s.segments[0].layers[0].channels, [0, 2])
        XCTAssertEqual(s.segments[0].layerDescription, "edges:0,2")
        let r = try s.resolved(layers: ["edges"], network: "edge_energy")
        XCTAssertEqual(r.segments[0].objective.terms[0].channels, [0, 2])
    }

    func testScheduleRefusesBadKeyframesAndEasing() {
        func message(_ json: String) -> String {
            do { _ = try Schedule(json: json, source: "t.json"); return "" } catch { return error.description }
        }
        XCTAssertTrue(message(#"{"segments": [{"layer": "a", "frames": 1, "zoom": {"x": 1.0}}]}"#).contains("segments[0].zoom.x"))
        XCTAssertTrue(message(#"{"segments": [{"layer": "a", "frames": 1, "zoom": {"0": 9}}]}"#).contains("0.5...2"))
        XCTAssertTrue(message(#"{"segments": [{"layer": "a", "frames": 1, "zoom": {}}]}"#).contains("is empty"))
        XCTAssertTrue(message(#"{"segments": [{"layer": "a", "frames": 1, "easing": "bouncy"}]}"#).contains("linear, smooth"))
        XCTAssertTrue(message(#"{"segments": [{"layer": "a:x", "frames": 1}]}"#).contains("mixed_5:12"))
        XCTAssertTrue(message(#"{"segments": [{"layer": "a", "frames": 1, "cadence": 0}]}"#).contains("1...16"))
    }

    // MARK: crossfade

    func testTransitionBlendsIntoTheNextSegment() throws {
        let r = try Schedule(json: """
            {"segments": [{"layer": "a", "frames": 10, "transition": 4}, {"layer": "b", "frames": 5}]}
            """, source: "t.json").resolved(layers: ["a", "b"], network: "n")
        XCTAssertEqual(r.objectives(forFrame: 6).parts.count, 1)
        let shares = (7...10).map { r.objectives(forFrame: $0).parts.map(\.share) }
        XCTAssertEqual(shares.map { $0[1] }, [0.2, 0.4, 0.6, 0.8].map { Float($0) })
        XCTAssertTrue(shares.allSatisfy { abs($0[0] + $0[1] - 1) < 1e-6 })
        XCTAssertEqual(r.objectives(forFrame: 10).parts[1].objective, Objective(layer: "b"))
        XCTAssertEqual(r.objectives(forFrame: 11).parts, ObjectiveBlend(Objective(layer: "b")).parts)
    }

    // MARK: cadence and warm start

    func testCadenceDreamsEveryNthFrameAndBlendsBetween() throws {
        let json = """
            {"defaults": {"octaves": 1, "steps": 2, "jitter": 0, "zoom": 1.04, "cadence": 3, "colour_coherence": 0},
             "segments": [{"layer": "edges", "frames": 7}]}
            """
        let schedule = try Schedule(json: json, source: "t.json").resolved(layers: ["edges"], network: "edge_energy")
        let net = EdgeEnergyNetwork()
        let sink = CollectingSink()
        try ZoomLoop().run(start: start(), network: net, schedule: schedule, seed: 3, sink: sink)
        XCTAssertEqual(sink.frames.count, 7)
        // Frames 1, 4 and 7 are dreamed: 3 dreams x 2 steps.
        XCTAssertEqual(net.calls.count, 6)
        // Frame 4 is frame 1 moved three times (one resample of the composed zoom), then dreamed.
        var rng = SeededRandom(seed: 3)
        let f1 = try dream(start(), network: EdgeEnergyNetwork(), objective: Objective(layer: "edges"),
                           settings: schedule.segments[0].settings.dream, rng: &rng)
        XCTAssertEqual(sink.frames[0], f1)
        let moved = f1.warped(Camera(zoom: 1.04 * 1.04 * 1.04).outputFromSource(width: 90, height: 70).inverse)
        let f4 = try dream(moved, network: EdgeEnergyNetwork(), objective: Objective(layer: "edges"),
                           settings: schedule.segments[0].settings.dream, rng: &rng)
        XCTAssertEqual(sink.frames[3].pixels.count, f4.pixels.count)
        XCTAssertEqual(zip(sink.frames[3].pixels, f4.pixels).map { abs($0 - $1) }.max()!, 0, accuracy: 1e-2)
        // Frame 2 is a third of the way from the plain zoom toward frame 4 seen from frame 2.
        let plain2 = f1.warped(Camera(zoom: 1.04).outputFromSource(width: 90, height: 70).inverse)
        let d2 = zip(sink.frames[1].pixels, plain2.pixels).map { abs($0 - $1) }.reduce(0, +)
        XCTAssertGreaterThan(d2, 0)
        let f4back = f4.warped(Camera(zoom: 1.04 * 1.04).outputFromSource(width: 90, height: 70))
        let d2to4 = zip(sink.frames[1].pixels, f4back.pixels).map { abs($0 - $1) }.reduce(0, +)
        let plainTo4 = zip(plain2.pixels, f4back.pixels).map { abs($0 - $1) }.reduce(0, +)
        XCTAssertEqual(d2to4 / plainTo4, 2.0 / 3.0, accuracy: 0.01)
    }

    func testStateMidCadenceGroupContinuesIdentically() throws {
        let schedule = try Schedule(json: """
            {"defaults": {"octaves": 1, "steps": 1, "jitter": 4, "zoom": 1.03, "cadence": 3, "warm_steps": 1},
             "segments": [{"layer": "edges", "frames": 8}]}
            """, source: "t.json").resolved(layers: ["edges"], network: "edge_energy")
        let all = CollectingSink()
        try ZoomLoop().run(start: start(), network: EdgeEnergyNetwork(), schedule: schedule, seed: 5, sink: all)
        var state = ZoomLoop.State(start: start(), seed: 5)
        let loop = ZoomLoop()
        var firstPart: [FloatImage] = []
        for _ in 0..<3 { firstPart.append(try loop.next(&state, network: EdgeEnergyNetwork(), schedule: schedule)) }
        XCTAssertFalse(state.queued.isEmpty)   // stopped inside a cadence group
        var copy = state   // what a checkpoint holds
        let rest = CollectingSink()
        try loop.run(from: &copy, network: EdgeEnergyNetwork(), schedule: schedule, sink: rest)
        XCTAssertEqual(firstPart + rest.frames, all.frames)
    }

    func testWarmStartUsesFewerStepsAfterTheFirstFrame() throws {
        let schedule = try Schedule(json: """
            {"defaults": {"octaves": 2, "steps": 4, "warm_steps": 1, "warm_octaves": 1, "jitter": 4, "zoom": 1.02},
             "segments": [{"layer": "edges", "frames": 3}]}
            """, source: "t.json").resolved(layers: ["edges"], network: "edge_energy")
        let net = EdgeEnergyNetwork()
        var s = schedule
        s.segments[0].settings.dream.minimumOctaveSide = 20
        try ZoomLoop().run(start: start(), network: net, schedule: s, seed: 1, sink: CollectingSink())
        XCTAssertEqual(net.calls.count, 2 * 4 + 1 + 1)
    }

    // MARK: resampling helpers

    func testSharpenKeepsFlatAndRaisesEdgeContrast() {
        let flat = FloatImage(width: 40, height: 30, fill: 100)
        XCTAssertEqual(flat.sharpened(amount: 1), flat)
        // Mean gradient magnitude measures texture: blur lowers it, the unsharp mask gives it back.
        var sq = TestImages.checkerboard(width: 40, height: 30, cell: 3)
        for i in sq.pixels.indices { sq.pixels[i] = 60 + 0.5 * sq.pixels[i] }
        sq = sq.blurred(sigma: 1)
        let sharp = sq.sharpened(amount: 1)
        XCTAssertGreaterThan(VideoMetrics.figures(of: sharp).sharpness, VideoMetrics.figures(of: sq).sharpness * 1.2)
        XCTAssertGreaterThanOrEqual(sharp.pixels.min()!, 0); XCTAssertLessThanOrEqual(sharp.pixels.max()!, 255)
    }

    func testZoomOutFillsTheRevealedBorderSoftly() {
        // A zoom out reveals a border; there the picture is a blurred extension, not sharp mirrored stripes.
        let board = TestImages.checkerboard(width: 80, height: 60, cell: 2)
        let map = Camera(zoom: 0.8).outputFromSource(width: 80, height: 60).inverse
        let plain = board.warped(map), soft = plain.softenedOutside(map)
        func texture(_ img: FloatImage, _ x0: Int, _ x1: Int) -> Float {
            var s: Float = 0
            for y in 20..<40 { for x in x0..<x1 { s += abs(img.pixels[y * 80 + x + 1] - img.pixels[y * 80 + x]) } }
            return s
        }
        XCTAssertLessThan(texture(soft, 0, 6), 0.3 * texture(plain, 0, 6))   // the revealed band (8 px) is smooth
        XCTAssertEqual(texture(soft, 30, 50), texture(plain, 30, 50))        // the picture itself is untouched
        XCTAssertEqual(board.softenedOutside(Camera(zoom: 1.2).outputFromSource(width: 80, height: 60).inverse), board)
    }

    func testLaplacianNormalisationEqualisesBands() {
        // Fine texture plus a coarse ramp 100x stronger: after normalisation neither band dominates.
        var g = FloatImage(width: 64, height: 64)
        for y in 0..<64 { for x in 0..<64 {
            let v = Float(100 * (Double(x) / 64 - 0.5)) + ((x + y) % 2 == 0 ? 1 : -1)
            for c in 0..<3 { g.pixels[c * 4096 + y * 64 + x] = v }
        } }
        let one = g.laplacianNormalised(levels: 1)
        XCTAssertEqual(rms(one), 1, accuracy: 1e-3)
        let four = g.laplacianNormalised(levels: 4)
        let fine = zip(four.pixels, four.blurred(sigma: 1).pixels).map { abs($0 - $1) }.reduce(0, +) / Float(four.pixels.count)
        let fineBefore = zip(g.pixels, g.blurred(sigma: 1).pixels).map { abs($0 - $1) }.reduce(0, +) / Float(g.pixels.count)
        XCTAssertGreaterThan(fine / rms(four), 3 * fineBefore / rms(g))
    }

    // MARK: metrics

    func testMetricsFiguresAndZoomEstimate() throws {
        let grey = FloatImage(width: 64, height: 48, fill: 119)
        let f = VideoMetrics.figures(of: grey)
        XCTAssertEqual(f.lightness, 50, accuracy: 0.3); XCTAssertEqual(f.chroma, 0, accuracy: 0.01)
        XCTAssertEqual(f.clipped, 0); XCTAssertEqual(f.sharpness, 0)
        XCTAssertEqual(VideoMetrics.figures(of: FloatImage(width: 8, height: 8, fill: 255)).clipped, 1)

        let img = TestImages.smooth(width: 200, height: 120)
        var tex = img
        for i in tex.pixels.indices { tex.pixels[i] = min(255, max(0, tex.pixels[i] + Float((i * 7919) % 61) - 30)) }
        let tex2 = tex.blurred(sigma: 1.5)
        let next = Camera(zoom: 1.03).next(tex2)
        XCTAssertEqual(try VideoMetrics.estimateZoom(from: tex2, to: next, rotation: 0), 1.03, accuracy: 0.003)
        var m = VideoMetrics()
        try m.add(tex2); try m.add(next)
        XCTAssertLessThan(m.frames[1].flicker!, 2)
        let s = m.summary(window: 1)!
        XCTAssertEqual(s.frames, 2)
        XCTAssertEqual(s.lightnessFirst, VideoMetrics.figures(of: tex2).lightness, accuracy: 1e-9)
        XCTAssertEqual(s.lightnessDrift, VideoMetrics.figures(of: next).lightness - s.lightnessFirst, accuracy: 1e-9)
    }

    // MARK: pattern scale (dream_scale)

    func testDreamScaleSetsTheWorkingSize() throws {
        var d = DreamSettings(octaves: 3, octaveScale: 1.4)
        XCTAssertEqual(d.dreamScale, 360)   // the built-in default
        d.dreamScale = 0
        XCTAssertTrue(d.workingSize(width: 1920, height: 1080) == (1920, 1080))
        d.dreamScale = 360
        XCTAssertTrue(d.workingSize(width: 1920, height: 1080) == (640, 360))
        XCTAssertTrue(d.workingSize(width: 1080, height: 1920) == (360, 640))
        XCTAssertTrue(d.workingSize(width: 320, height: 180) == (320, 180))   // never up
        XCTAssertEqual(d.octaveSizes(width: 1920, height: 1080).map(\.width), [327, 457, 640])
        let s = try Schedule(json: #"{"defaults": {"dream_scale": 540}, "segments": [{"layer": "a", "frames": 2, "dream_scale": 0}]}"#,
                             source: "t.json")
        XCTAssertEqual(s.defaults.dream.dreamScale, 540)
        XCTAssertEqual(s.segments[0].settings.dream.dreamScale, 0)
        XCTAssertThrowsError(try Schedule(json: #"{"segments": [{"layer": "a", "frames": 1, "dream_scale": 10000}]}"#, source: "t.json"))
        var o = Overrides()
        o.dreamScale = 90
        XCTAssertEqual(try Schedule.single(layer: "a", frames: 1).applying(o).segments[0].settings.dream.dreamScale, 90)
    }

    func testDreamScaleDreamsAtTheWorkingSizeAndCarriesTheDetailUp() throws {
        let img = TestImages.smooth(width: 180, height: 120)
        var settings = DreamSettings(octaves: 2, octaveScale: 1.5, steps: 2, stepSize: 4, jitter: 0, minimumOctaveSide: 20)
        settings.dreamScale = 60
        let net = EdgeEnergyNetwork()
        var rng = SeededRandom(seed: 1)
        var told: [String] = []
        let out = try dream(img, network: net, objectives: ObjectiveBlend(Objective(layer: "edges")), settings: settings,
                            rng: &rng, onStep: { told.append("\($0.octave)/\($0.octaves) \($0.step)/\($0.steps)") })
        XCTAssertEqual(told, ["1/2 1/2", "1/2 2/2", "2/2 1/2", "2/2 2/2"])
        // The network only ever sees the working size (90x60) and the octave below it (60x40).
        XCTAssertEqual(net.calls.map(\.height), [40, 40, 60, 60])
        XCTAssertEqual(out.width, 180); XCTAssertEqual(out.height, 120)
        // What the dream added came up from 90x60: it is as smooth as a 2x upsample, unlike the
        // same dream at full size, whose change has pixel-scale edges.
        func roughness(_ a: FloatImage) -> Float {
            let change = FloatImage(width: a.width, height: a.height, pixels: zip(a.pixels, img.pixels).map { $0 - $1 })
            return TestImages.maxAbsDifference(change, change.blurred(sigma: 1)) / max(1e-6, change.pixels.map(abs).max()!)
        }
        settings.dreamScale = 0
        var rng2 = SeededRandom(seed: 1)
        let full = try dream(img, network: EdgeEnergyNetwork(), objective: Objective(layer: "edges"), settings: settings, rng: &rng2)
        XCTAssertGreaterThan(TestImages.maxAbsDifference(out, img), 1)
        XCTAssertLessThan(roughness(out), roughness(full))
    }

    // MARK: progress

    func testProgressReportsTheMeanAndEachDreamStep() throws {
        let schedule = try Schedule(json: """
            {"defaults": {"octaves": 1, "steps": 3, "warm_steps": 1, "jitter": 0, "zoom": 1.04, "cadence": 3},
             "segments": [{"layer": "edges", "frames": 7}]}
            """, source: "t.json").resolved(layers: ["edges"], network: "edge_energy")
        var reports: [FrameProgress] = []
        var steps: [(Int, DreamStep)] = []
        var state = ZoomLoop.State(start: start(), seed: 2)
        try ZoomLoop().run(from: &state, network: EdgeEnergyNetwork(), schedule: schedule, sink: CollectingSink(),
                            progress: { reports.append($0) }, onStep: { steps.append(($0, $1)) })
        XCTAssertEqual(reports.map(\.frame), Array(1...7))
        // The mean covers every frame so far, so the in-between frames (whose own time is ~0, their
        // group's dream is paid by the first of them) do not read as fast.
        for r in reports {
            let sum = reports.prefix(r.frame).map(\.seconds).reduce(0, +)
            XCTAssertGreaterThanOrEqual(r.meanSeconds * Double(r.frame) + 1e-9, sum)
            XCTAssertEqual(r.secondsLeft, r.meanSeconds * Double(7 - r.frame), accuracy: 1e-9)
        }
        // Frames 1, 4 and 7 are dreamed: 3 steps, then 1 (the octave ladder's telling is in
        // testDreamScaleDreamsAtTheWorkingSizeAndCarriesTheDetailUp's network calls).
        XCTAssertEqual(steps.map(\.0), [1, 1, 1, 4, 7])
        XCTAssertEqual(steps.map { "\($0.1.octave)/\($0.1.octaves) \($0.1.step)/\($0.1.steps)" },
                       ["1/1 1/3", "1/1 2/3", "1/1 3/3", "1/1 1/1", "1/1 1/1"])
    }
}
