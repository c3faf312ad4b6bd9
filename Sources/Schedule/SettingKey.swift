
/// The settings a schedule file (under "defaults" or in a segment) or a command-line flag may give,
/// with their JSON key, valid range and whether they must be whole numbers.
public enum SettingKey: String, CaseIterable, Sendable {
    case octaves, octave_scale, steps, step_size, jitter, zoom, rotate, translate_x, translate_y, center_x, center_y
    case colour_coherence, sharpen, warm_steps, warm_octaves, cadence, transition, lap_levels, dream_scale
    case mask_strength

    public var range: ClosedRange<Double> {
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
