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

/// The settings a schedule file (under "defaults" or in a segment) or a command-line flag may give,
/// with their JSON key, valid range and whether they must be whole numbers.
enum SettingKey: String, CaseIterable, Sendable {
    case octaves, octave_scale, steps, step_size, jitter, zoom, rotate, translate_x, translate_y, center_x, center_y
    case colour_coherence, sharpen, warm_steps, warm_octaves, cadence, transition, lap_levels, dream_scale
    case mask_strength

    var range: ClosedRange<Double> {
        switch self {
        case .octaves: return 1...8
        case .octave_scale: return 1...4
        case .steps: return 0...500
        case .step_size: return 0...50
        case .jitter: return 0...512
        case .zoom: return 0.5...2
        case .rotate: return -45...45
        case .translate_x, .translate_y: return -500...500
        case .center_x, .center_y: return 0...1
        case .colour_coherence: return 0...1
        case .sharpen: return 0...3
        case .warm_steps: return 0...500
        case .warm_octaves: return 1...8
        case .cadence: return 1...16
        case .transition: return 0...1_000_000
        case .lap_levels: return 0...8
        case .dream_scale: return 0...8192
        case .mask_strength: return 0...1
        }
    }

    var isWholeNumber: Bool {
        switch self {
        case .octaves, .steps, .jitter, .warm_steps, .warm_octaves, .cadence, .transition, .lap_levels, .dream_scale: return true
        default: return false
        }
    }

    /// Camera parts that may be given as keyframes {"FRAME": value, ...} as well as a constant.
    var isKeyframable: Bool {
        switch self {
        case .zoom, .rotate, .translate_x, .translate_y, .center_x, .center_y, .mask_strength: return true
        default: return false
        }
    }

    func apply(_ k: Keyframes, to s: inout SegmentSettings) {
        s.music.bound[self] = nil
        switch self {
        case .zoom: s.cameraKeyframes.zoom = k
        case .rotate: s.cameraKeyframes.rotation = k
        case .translate_x: s.cameraKeyframes.translationX = k
        case .translate_y: s.cameraKeyframes.translationY = k
        case .center_x: s.cameraKeyframes.centreX = k
        case .center_y: s.cameraKeyframes.centreY = k
        case .mask_strength: s.maskStrengthKeyframes = k
        default: preconditionFailure("\(rawValue) takes no keyframes")
        }
    }

    /// The command-line spelling.
    var flag: String { "--" + String(rawValue.map { $0 == "_" ? "-" : $0 }) }

    var rangeDescription: String {
        "\(JSONValue.format(range.lowerBound))...\(JSONValue.format(range.upperBound))"
            + (isWholeNumber ? " (whole numbers)" : "")
    }

    func apply(_ v: Double, to s: inout SegmentSettings) {
        // A constant replaces a music binding inherited from the defaults (as it does keyframes).
        s.music.bound[self] = nil
        switch self {
        case .octaves: s.dream.octaves = Int(v)
        case .octave_scale: s.dream.octaveScale = v
        case .steps: s.dream.steps = Int(v)
        case .step_size: s.dream.stepSize = v
        case .jitter: s.dream.jitter = Int(v)
        // A constant replaces keyframes inherited from the defaults.
        case .zoom: s.camera.zoom = v; s.cameraKeyframes.zoom = nil
        case .rotate: s.camera.rotation = v; s.cameraKeyframes.rotation = nil
        case .translate_x: s.camera.translationX = v; s.cameraKeyframes.translationX = nil
        case .translate_y: s.camera.translationY = v; s.cameraKeyframes.translationY = nil
        case .center_x: s.camera.centreX = v; s.cameraKeyframes.centreX = nil
        case .center_y: s.camera.centreY = v; s.cameraKeyframes.centreY = nil
        case .colour_coherence: s.colourCoherence = v
        case .sharpen: s.sharpen = v
        case .warm_steps: s.warmSteps = Int(v)
        case .warm_octaves: s.warmOctaves = Int(v)
        case .cadence: s.cadence = Int(v)
        case .transition: s.transition = Int(v)
        case .lap_levels: s.dream.lapLevels = Int(v)
        case .dream_scale: s.dream.dreamScale = Int(v)
        case .mask_strength: s.maskStrength = v; s.maskStrengthKeyframes = nil
        }
    }

    /// The value `apply` (or keyframes) set, read back for writing the resolved settings of a render;
    /// nil where the setting follows another (warm steps and octaves default to steps and octaves).
    func value(in s: SegmentSettings) -> SettingValue? {
        if let b = s.music.binding(self) { return .music(b) }
        if isKeyframable, let k = keyframes(in: s) {
            return .keyframes(Dictionary(uniqueKeysWithValues: k.keys.map { (String($0.frame), $0.value) }))
        }
        switch self {
        case .octaves: return .number(Double(s.dream.octaves))
        case .octave_scale: return .number(s.dream.octaveScale)
        case .steps: return .number(Double(s.dream.steps))
        case .step_size: return .number(s.dream.stepSize)
        case .jitter: return .number(Double(s.dream.jitter))
        case .zoom: return .number(s.camera.zoom)
        case .rotate: return .number(s.camera.rotation)
        case .translate_x: return .number(s.camera.translationX)
        case .translate_y: return .number(s.camera.translationY)
        case .center_x: return .number(s.camera.centreX)
        case .center_y: return .number(s.camera.centreY)
        case .colour_coherence: return .number(s.colourCoherence)
        case .sharpen: return .number(s.sharpen)
        case .warm_steps: return s.warmSteps.map { .number(Double($0)) }
        case .warm_octaves: return s.warmOctaves.map { .number(Double($0)) }
        case .cadence: return .number(Double(s.cadence))
        case .transition: return .number(Double(s.transition))
        case .lap_levels: return .number(Double(s.dream.lapLevels))
        case .dream_scale: return .number(Double(s.dream.dreamScale))
        // Left out at its default (1, no keyframes): a render without a mask records what it did before
        // mask_strength existed, so its older checkpoints still resume.
        case .mask_strength: return s.maskStrength == 1 ? nil : .number(s.maskStrength)
        }
    }

    private func keyframes(in s: SegmentSettings) -> Keyframes? {
        switch self {
        case .zoom: return s.cameraKeyframes.zoom
        case .rotate: return s.cameraKeyframes.rotation
        case .translate_x: return s.cameraKeyframes.translationX
        case .translate_y: return s.cameraKeyframes.translationY
        case .center_x: return s.cameraKeyframes.centreX
        case .center_y: return s.cameraKeyframes.centreY
        case .mask_strength: return s.maskStrengthKeyframes
        default: return nil
        }
    }

    /// Checks one value (from the file or the command line) against the key's rules.
    func check(_ v: Double, file: String, place: String) throws(ScheduleError) {
        if isWholeNumber && v != v.rounded() {
            throw .wrongType(file: file, place: place, expected: "a whole number", found: "the number \(JSONValue.format(v))")
        }
        if !range.contains(v) {
            throw .outOfRange(file: file, place: place, value: JSONValue.format(v), range: rangeDescription)
        }
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
