import Schedule
import Imaging
import FrameLoop
import TestSupport
import XCTest

/// The music analysis and the schedule's music bindings, on sound made here with known beats.
final class MusicCurvesTests: XCTestCase {
    let fps = 30.0

    /// A one-segment schedule whose zoom (and maybe more) is given by `settings` JSON, `frames` long.
    func schedule(_ settings: String, frames: Int) throws -> Schedule {
        try Schedule(json: #"{"segments": [{"layer": "fire3", "frames": \#(frames), \#(settings)}]}"#, source: "music.json")
    }

    func zoom(_ s: Schedule, curves: MusicCurves) throws -> [Double] {
        try s.resolved(layers: ["fire3"], network: "squeezenet1_1").following(curves).zoomCurve
    }

    func testZoomPeaksWithinOneFrameOfEachBeat() throws {
        // Irregular beats, so a fixed period could not pass by luck; one close pair 0.25 s apart.
        let beats = [0.40, 0.95, 1.20, 1.87, 2.50, 3.31, 3.56]
        let samples = SyntheticAudio.clickTrack(beats: beats, seconds: 4)
        let frames = 120
        let curves = MusicCurves(samples: samples, sampleRate: 44100, fps: fps, frames: frames)
        XCTAssertEqual(curves.onsets.count, beats.count, "onsets found at \(curves.onsets.map(\.time))")
        for (found, beat) in zip(curves.onsets, beats) {
            XCTAssertEqual(found.time, beat, accuracy: 0.02, "an onset 20 ms or more away from its beat")
        }
        let z = try zoom(try schedule(#""zoom": {"music": "onset", "base": 1.01, "gain": 0.03}"#, frames: frames), curves: curves)
        XCTAssertEqual(z.count, frames)
        // The local maxima that rise above the base are the beats, each within one frame.
        let peaks = (0..<frames).filter { f in
            z[f] > 1.02 && (f == 0 || z[f] > z[f - 1]) && (f == frames - 1 || z[f] >= z[f + 1])
        }
        XCTAssertEqual(peaks.count, beats.count, "zoom peaks at frames \(peaks)")
        for (p, beat) in zip(peaks, beats) {
            XCTAssertLessThanOrEqual(abs(Double(p) - beat * fps), 1.0, "peak at frame \(p) for a beat at frame \(beat * fps)")
        }
        XCTAssertEqual(z.max()!, 1.04, accuracy: 0.0001, "the strongest beat gives base + gain")
        // Before the first beat the hum alone: base.
        for f in 0..<Int(beats[0] * fps) - 1 { XCTAssertEqual(z[f], 1.01, accuracy: 1e-12) }
    }

    func testSilenceGivesTheBaseAndNoiseTheLoudness() throws {
        let samples = SyntheticAudio.silenceThenNoise(silent: 2, noisy: 2)
        let frames = 120
        let curves = MusicCurves(samples: samples, sampleRate: 44100, fps: fps, frames: frames)
        let s = try schedule(#""zoom": {"music": "onset", "base": 1.01, "gain": 0.03}, "rotate": {"music": "loudness", "base": 0, "gain": 2}"#,
                             frames: frames)
        let resolved = try s.resolved(layers: ["fire3"], network: "squeezenet1_1").following(curves)
        for f in 1...60 {
            let camera = resolved.segment(forFrame: f).settings.camera(forFrame: f)
            XCTAssertEqual(camera.zoom, 1.01, "silence at frame \(f) moved the zoom")
            XCTAssertEqual(camera.rotation, 0, "silence at frame \(f) moved the rotation")
        }
        // The noise starts at frame 61 (2 s): an onset there, and full loudness from then on.
        XCTAssertGreaterThan(resolved.zoomCurve[60], 1.035)
        for f in 61...frames {
            XCTAssertGreaterThan(resolved.segment(forFrame: f).settings.camera(forFrame: f).rotation, 1.8, "frame \(f)")
        }
    }

    func testMaskStrengthFollowsTheMusic() throws {
        // mask_strength is keyframable, so it binds like the camera parts: silence keeps the base.
        let samples = SyntheticAudio.silenceThenNoise(silent: 2, noisy: 2)
        let frames = 120
        let curves = MusicCurves(samples: samples, sampleRate: 44100, fps: fps, frames: frames)
        let s = try schedule(#""mask_strength": {"music": "loudness", "base": 1, "gain": -1}"#, frames: frames)
        let resolved = try s.resolved(layers: ["fire3"], network: "squeezenet1_1").following(curves)
        for f in 1...60 { XCTAssertEqual(resolved.segment(forFrame: f).settings.maskStrength(forFrame: f), 1, "frame \(f)") }
        for f in 70...frames { XCTAssertLessThan(resolved.segment(forFrame: f).settings.maskStrength(forFrame: f), 0.1, "frame \(f)") }
    }

    func testDefaultBindingFollowsOnsetsAndLoudnessAndIsRecorded() throws {
        let s = try schedule(#""zoom": 1.02, "step_size": 1.5"#, frames: 40).withDefaultMusicBindings()
        XCTAssertTrue(s.followsMusic)
        let record = ScheduleRecord(s, model: "squeezenet1_1")
        XCTAssertEqual(record.segments[0].settings["zoom"], .music(MusicBinding(music: .onset, base: 1.02, gain: 0.03)))
        XCTAssertEqual(record.segments[0].settings["step_size"], .music(MusicBinding(music: .loudness, base: 0.75, gain: 1.5)))
        // The record is itself a schedule that binds the same way.
        let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        let again = try Schedule(json: json, source: "record.json")
        XCTAssertEqual(ScheduleRecord(again, model: "squeezenet1_1"), record)
        // Loud music: step size up to 2.25; the step size is what the dream uses.
        let curves = MusicCurves(samples: SyntheticAudio.silenceThenNoise(silent: 0.5, noisy: 1), sampleRate: 44100, fps: fps, frames: 40)
        let r = try again.resolved(layers: ["fire3"], network: "squeezenet1_1").following(curves)
        XCTAssertEqual(r.segments[0].settings.dream(forFrame: 2).stepSize, 0.75)
        XCTAssertEqual(r.segments[0].settings.dream(forFrame: 30).stepSize, 2.25, accuracy: 0.01)
        // A schedule that binds something keeps its own bindings only.
        let own = try schedule(#""rotate": {"music": "onset", "base": 0, "gain": 1}"#, frames: 10).withDefaultMusicBindings()
        XCTAssertEqual(ScheduleRecord(own, model: "m").segments[0].settings["zoom"], .number(1.05))
    }

    func testABadBindingSaysWhatIsWrong() throws {
        for (json, mention) in [(#""zoom": {"music": "beat", "base": 1.01}"#, "onset"),
                                (#""zoom": {"music": "onset", "gain": 0.03}"#, "base"),
                                (#""zoom": {"music": "onset", "base": 1.9, "gain": 0.5}"#, "base + gain"),
                                (#""octaves": {"music": "onset", "base": 2}"#, "octaves")] {
            XCTAssertThrowsError(try schedule(json, frames: 10), json) { error in
                XCTAssertTrue("\(error)".contains(mention), "\(json): \(error)")
            }
        }
    }

    func testLayerChangesMoveOntoBeats() throws {
        // Three layers, 40 frames each; strong beats at frames 37 and 86 (and one at 60, within reach of both but farther).
        let s = try Schedule(json: #"{"segments": [{"layer": "fire3", "frames": 40}, {"layer": "fire5", "frames": 40}, {"layer": "fire7", "frames": 40}]}"#,
                             source: "walk.json")
        let curves = MusicCurves(samples: SyntheticAudio.clickTrack(beats: [37 / fps, 60 / fps, 86 / fps], seconds: 4), sampleRate: 44100,
                                 fps: fps, frames: 120)
        let snapped = s.snappedToBeats(curves)
        XCTAssertEqual(snapped.segments.map(\.frames), [37, 49, 34])
        XCTAssertEqual(snapped.snappedToBeats(curves).segments.map(\.frames), [37, 49, 34], "snapping again moved a change")
        // No beat near a change: the schedule is kept.
        let quiet = MusicCurves(samples: SyntheticAudio.clickTrack(beats: [10 / fps], seconds: 4), sampleRate: 44100, fps: fps, frames: 120)
        XCTAssertEqual(s.snappedToBeats(quiet).segments.map(\.frames), [40, 40, 40])
    }
}
