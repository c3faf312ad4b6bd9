import Foundation
import Imaging

/// A number of the schedule that follows the music: `"zoom": {"music": "onset", "base": 1.01, "gain": 0.03}`
/// is 1.01 in silence and 1.04 on a full-strength beat (value = base + gain x curve, the curve 0...1).
public struct MusicBinding: Sendable, Equatable, Codable {
    public var music: MusicCurves.Source
    public var base: Double
    public var gain: Double

    public init(music: MusicCurves.Source, base: Double, gain: Double) {
        self.music = music; self.base = base; self.gain = gain
    }
}

/// A segment's settings bound to the music, and the music's curves once the render knows them
/// (`ResolvedSchedule.following`); without curves every bound setting holds its base.
public struct MusicBindings: Sendable, Equatable {
    var bound: [SettingKey: MusicBinding] = [:]
    public var curves: MusicCurves?

    public init() {}

    public var isEmpty: Bool { bound.isEmpty }

    /// The settings that may follow the music: the keyframable ones (the camera parts, mask_strength)
    /// and the step size.
    static func canBind(_ key: SettingKey) -> Bool { key.isKeyframable || key == .step_size }

    func binding(_ key: SettingKey) -> MusicBinding? { bound[key] }

    func value(_ key: SettingKey, atFrame f: Int) -> Double? {
        guard let b = bound[key] else { return nil }
        return b.base + b.gain * (curves?.value(b.music, atFrame: f) ?? 0)
    }

    /// `c` with every bound camera part set to its value at frame index `f` (0 = the first frame).
    func camera(_ c: Camera, atFrame f: Int) -> Camera {
        guard !bound.isEmpty else { return c }
        var c = c
        if let v = value(.zoom, atFrame: f) { c.zoom = v }
        if let v = value(.rotate, atFrame: f) { c.rotation = v }
        if let v = value(.translate_x, atFrame: f) { c.translationX = v }
        if let v = value(.translate_y, atFrame: f) { c.translationY = v }
        if let v = value(.center_x, atFrame: f) { c.centreX = v }
        if let v = value(.center_y, atFrame: f) { c.centreY = v }
        return c
    }

    func dream(_ d: DreamSettings, atFrame f: Int) -> DreamSettings {
        guard let v = value(.step_size, atFrame: f) else { return d }
        var d = d
        d.stepSize = v
        return d
    }

    /// Parses `{"music": "onset"|"loudness", "base": number, "gain": number}` for `key`; the values the
    /// binding can reach (base, and base + gain) must lie in the key's range.
    static func parse(_ members: [JSONValue.Member], key: SettingKey, file: String, place: String) throws(ScheduleError) -> MusicBinding {
        var source: MusicCurves.Source?
        var base: Double?, gain: Double?
        for m in members {
            let p = "\(place).\(m.key)"
            switch m.key {
            case "music":
                guard case .string(let s) = m.value.kind, let src = MusicCurves.Source(rawValue: s) else {
                    throw .wrongType(file: file, place: p, expected: "\"onset\" or \"loudness\"", found: m.value.typeName)
                }
                source = src
            case "base", "gain":
                guard case .number(let v) = m.value.kind else {
                    throw .wrongType(file: file, place: p, expected: "a number", found: m.value.typeName)
                }
                if m.key == "base" { base = v } else { gain = v }
            default:
                throw .wrongType(file: file, place: p, expected: "one of music, base, gain", found: "\"\(m.key)\"")
            }
        }
        guard let source else {
            throw .empty(file: file, place: place, hint: "give {\"music\": \"onset\", \"base\": 1.01, \"gain\": 0.03}")
        }
        let b = base ?? 0, g = gain ?? 0
        guard base != nil else {
            throw .empty(file: file, place: "\(place).base", hint: "give the value in silence, e.g. \"base\": 1.01")
        }
        try key.check(b, file: file, place: "\(place).base")
        try key.check(b + g, file: file, place: "\(place).base + gain")
        return MusicBinding(music: source, base: b, gain: g)
    }
}

extension SettingKey {
    /// Binds `self` to the music in `s` (replacing a constant or keyframes).
    func bind(_ b: MusicBinding, to s: inout SegmentSettings) {
        apply(b.base, to: &s)
        s.music.bound[self] = b
    }
}

extension Schedule {
    /// True when some segment binds a setting to the music.
    public var followsMusic: Bool { segments.contains { !$0.settings.music.isEmpty } }

    /// What `--music` does to a schedule that binds nothing: each segment's zoom pulses on the onsets
    /// (its own zoom in silence, 0.03 more on a full beat: at 30 fps a clear push that fades in 0.3 s)
    /// and its step size follows the loudness (half in silence, 1.5 times at the loud parts), so the
    /// dream grows with the music. A keyframed zoom keeps its keyframes.
    public func withDefaultMusicBindings() -> Schedule {
        guard !followsMusic else { return self }
        var out = self
        for i in out.segments.indices {
            var s = out.segments[i].settings
            if s.cameraKeyframes.zoom == nil {
                SettingKey.zoom.bind(MusicBinding(music: .onset, base: s.camera.zoom, gain: s.camera.zoom >= 1 ? 0.03 : -0.03), to: &s)
            }
            let step = s.dream.stepSize
            SettingKey.step_size.bind(MusicBinding(music: .loudness, base: step * 0.5, gain: step), to: &s)
            out.segments[i].settings = s
        }
        return out
    }

    /// This schedule made `frames` long: cut, or its last segment continued (the music sets the length).
    public func fitted(toFrames frames: Int) -> Schedule {
        precondition(frames >= 1)
        var out = truncated(toFrames: frames)
        if let last = out.segments.indices.last, out.totalFrames < frames { out.segments[last].frames += frames - out.totalFrames }
        return out
    }
}
