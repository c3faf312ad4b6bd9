/// Everything a schedule segment may set besides its layers and length: how to dream and how the
/// camera moves between frames.
public struct SegmentSettings: Sendable, Equatable {
    public var dream: DreamSettings
    public var camera: Camera

    public init(dream: DreamSettings = DreamSettings(), camera: Camera = Camera()) {
        self.dream = dream; self.camera = camera
    }
}

/// The settings a schedule file (under "defaults" or in a segment) or a command-line flag may give,
/// with their JSON key, valid range and whether they must be whole numbers.
enum SettingKey: String, CaseIterable, Sendable {
    case octaves, octave_scale, steps, step_size, jitter, zoom, rotate, translate_x, translate_y, center_x, center_y

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
        }
    }

    var isWholeNumber: Bool { self == .octaves || self == .steps || self == .jitter }

    /// The command-line spelling.
    var flag: String { "--" + String(rawValue.map { $0 == "_" ? "-" : $0 }) }

    var rangeDescription: String {
        "\(JSONValue.format(range.lowerBound))...\(JSONValue.format(range.upperBound))"
            + (isWholeNumber ? " (whole numbers)" : "")
    }

    func apply(_ v: Double, to s: inout SegmentSettings) {
        switch self {
        case .octaves: s.dream.octaves = Int(v)
        case .octave_scale: s.dream.octaveScale = v
        case .steps: s.dream.steps = Int(v)
        case .step_size: s.dream.stepSize = v
        case .jitter: s.dream.jitter = Int(v)
        case .zoom: s.camera.zoom = v
        case .rotate: s.camera.rotation = v
        case .translate_x: s.camera.translationX = v
        case .translate_y: s.camera.translationY = v
        case .center_x: s.camera.centreX = v
        case .center_y: s.camera.centreY = v
        }
    }

    /// The value `apply` sets, read back (for writing the resolved settings of a render).
    func value(in s: SegmentSettings) -> Double {
        switch self {
        case .octaves: return Double(s.dream.octaves)
        case .octave_scale: return s.dream.octaveScale
        case .steps: return Double(s.dream.steps)
        case .step_size: return s.dream.stepSize
        case .jitter: return Double(s.dream.jitter)
        case .zoom: return s.camera.zoom
        case .rotate: return s.camera.rotation
        case .translate_x: return s.camera.translationX
        case .translate_y: return s.camera.translationY
        case .center_x: return s.camera.centreX
        case .center_y: return s.camera.centreY
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
