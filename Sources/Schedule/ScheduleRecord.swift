/// A schedule written out in full, every setting of every segment spelled out (defaults and
/// command-line overrides applied), in the schedule file's own form: the "schedule" of a render's
/// settings file is itself a schedule file that reproduces the render.
public struct ScheduleRecord: Codable, Sendable, Equatable {
    public struct Segment: Codable, Sendable, Equatable {
        /// Layer name -> weight.
        public var layers: [String: Double]
        public var frames: Int
        /// Every SettingKey by its JSON name.
        public var settings: [String: SettingValue]
        public var easing: Easing

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            layers = try c.decode([String: Double].self, forKey: AnyKey("layers"))
            frames = try c.decode(Int.self, forKey: AnyKey("frames"))
            easing = try c.decodeIfPresent(Easing.self, forKey: AnyKey("easing")) ?? .linear
            var s: [String: SettingValue] = [:]
            for k in c.allKeys where !["layers", "frames", "easing"].contains(k.stringValue) {
                s[k.stringValue] = try c.decode(SettingValue.self, forKey: k)
            }
            settings = s
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: AnyKey.self)
            try c.encode(layers, forKey: AnyKey("layers"))
            try c.encode(frames, forKey: AnyKey("frames"))
            try c.encode(easing, forKey: AnyKey("easing"))
            for (k, v) in settings { try c.encode(v, forKey: AnyKey(k)) }
        }

        init(_ s: Schedule.Segment) {
            var ls: [String: Double] = [:]
            for l in s.layers { ls[l.label, default: 0] += Double(l.weight) }
            layers = ls
            frames = s.frames
            var st: [String: SettingValue] = [:]
            for k in SettingKey.allCases { st[k.rawValue] = k.value(in: s.settings) }
            settings = st
            easing = s.settings.easing
        }
    }

    public var model: String?
    public var segments: [Segment]

    public init(_ schedule: Schedule, model: String) {
        self.model = model
        segments = schedule.segments.map(Segment.init)
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
