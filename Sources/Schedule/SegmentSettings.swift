import Imaging
/// Everything a schedule segment may set besides its layers and length: how to dream and how the
/// camera moves between frames.
public struct SegmentSettings: Sendable, Equatable {
    public var dream: DreamSettings
    /// The camera's constant parts (and all of it when nothing is keyframed).
    public var camera: Camera
    public var cameraKeyframes: CameraKeyframes
    public var easing: Easing
    /// Colour coherence: the fraction (0...1) of the way each frame's L*a*b* means and spreads are
    /// pulled toward the reference (the start image's, or a palette image's). 0 turns it off.
    public var colourCoherence: Double
    /// Unsharp mask applied to each camera move's result, against the resampling's softening: 0 off.
    public var sharpen: Double
    /// Steps and octaves for every frame after the first: those start from an already dreamed
    /// picture and need less work to keep the dream alive (nil: the same as the first frame).
    public var warmSteps: Int?
    public var warmOctaves: Int?
    /// Dream every Nth frame; the frames between are the camera's motion blended toward the next
    /// dreamed frame. 1 dreams every frame.
    public var cadence: Int
    /// The last this-many frames of the segment crossfade into the next segment's objective.
    public var transition: Int
    /// With `--mask`: how strongly the mask's dark parts keep the start image, 0...1 (0: all dreams);
    /// keyframes let the kept part dissolve into the dream later.
    public var maskStrength: Double = 1
    public var maskStrengthKeyframes: Keyframes?
    /// Settings that follow the music (`--music`), and its curves once known.
    public var music = MusicBindings()

    public init(dream: DreamSettings = DreamSettings(), camera: Camera = Camera(),
                cameraKeyframes: CameraKeyframes = CameraKeyframes(), easing: Easing = .linear,
                colourCoherence: Double = SegmentSettings.defaultColourCoherence, sharpen: Double = 0,
                warmSteps: Int? = nil, warmOctaves: Int? = nil, cadence: Int = 1, transition: Int = 0) {
        self.dream = dream; self.camera = camera; self.cameraKeyframes = cameraKeyframes; self.easing = easing
        self.colourCoherence = colourCoherence; self.sharpen = sharpen
        self.warmSteps = warmSteps; self.warmOctaves = warmOctaves; self.cadence = cadence; self.transition = transition
    }

    public static let defaultColourCoherence = 0.3

    /// The camera move into video frame `frame` (counting from 1).
    public func camera(forFrame frame: Int) -> Camera {
        music.camera(cameraKeyframes.camera(camera, atFrame: frame - 1, easing: easing), atFrame: frame - 1)
    }

    /// The mask's strength at video frame `frame` (counting from 1).
    public func maskStrength(forFrame frame: Int) -> Double {
        music.value(.mask_strength, atFrame: frame - 1) ?? maskStrengthKeyframes?.value(atFrame: frame - 1, easing: easing) ?? maskStrength
    }

    /// The dream settings for video frame `frame`: warm settings after the first frame.
    public func dream(forFrame frame: Int) -> DreamSettings {
        var d = dream
        if frame > 1 {
            if let s = warmSteps { d.steps = s }
            if let o = warmOctaves { d.octaves = o }
        }
        return music.dream(d, atFrame: frame - 1)
    }
}
/// A setting as a schedule file writes it: a number, or keyframes {"FRAME": value}.
public enum SettingValue: Codable, Sendable, Equatable {
    case number(Double)
    case keyframes([String: Double])
    /// {"music": "onset", "base": 1.01, "gain": 0.03}
    case music(MusicBinding)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) { self = .number(v) }
        else if let b = try? c.decode(MusicBinding.self) { self = .music(b) }
        else { self = .keyframes(try c.decode([String: Double].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let v): try c.encode(v)
        case .keyframes(let k): try c.encode(k)
        case .music(let b): try c.encode(b)
        }
    }
}
