import Files
import Foundation

/// What to dream, segment after segment: each segment names its layer (or weighted layers), its
/// length in frames and its dream and camera settings (already merged: segment over file defaults
/// over built-in defaults). Parsed and checked in full before any work starts.
///
/// JSON (snake_case):
///   { "model": "inception_v3",                         optional
///     "defaults": { SETTINGS },                         optional
///     "segments": [ { "layer": "mixed_3", "frames": 150, SETTINGS },
///                   { "layers": {"mixed_4": 1.0, "mixed_5": 0.5}, "frames": 150, SETTINGS } ] }
///   SETTINGS, each optional: octaves, octave_scale, steps, step_size, jitter, zoom, rotate,
///   translate_x, translate_y, center_x, center_y (ranges in SettingKey).
public struct Schedule: Sendable, Equatable {
    public struct LayerWeight: Sendable, Equatable {
        public var name: String
        public var weight: Float
        /// Only these channels of the layer (nil: all of them).
        public var channels: [Int]?
        /// Where the name was given, for messages: "segments[1].layers.mixed_4" or "--layer".
        public var place: String
        public init(name: String, weight: Float = 1, channels: [Int]? = nil, place: String) {
            self.name = name; self.weight = weight; self.channels = channels; self.place = place
        }

        var label: String { name + (channels.map { ":" + $0.map(String.init).joined(separator: ",") } ?? "") }
    }

    public struct Segment: Sendable, Equatable {
        public var layers: [LayerWeight]
        public var frames: Int
        public var settings: SegmentSettings
        /// "segments[1]" or "command line".
        public var place: String
        public init(layers: [LayerWeight], frames: Int, settings: SegmentSettings, place: String) {
            self.layers = layers; self.frames = frames; self.settings = settings; self.place = place
        }

        /// "mixed_3", or "mixed_4*1 + mixed_5*0.5" for a blend.
        public var layerDescription: String {
            if layers.count == 1 && layers[0].weight == 1 { return layers[0].label }
            return layers.map { "\($0.label)*\(JSONValue.format(Double($0.weight)))" }.joined(separator: " + ")
        }
    }

    /// The file's path as given, or "command line"; names the source in every message.
    public var source: String
    public var model: String?
    public var defaults: SegmentSettings
    public var segments: [Segment]

    public init(source: String, model: String? = nil, defaults: SegmentSettings = SegmentSettings(), segments: [Segment]) {
        self.source = source; self.model = model; self.defaults = defaults; self.segments = segments
    }

    public var totalFrames: Int { segments.reduce(0) { $0 + $1.frames } }

    /// One segment on one layer: what `--layer NAME` asks for.
    public static func single(layer: String, frames: Int, settings: SegmentSettings = SegmentSettings(),
                              source: String = "command line") -> Schedule {
        Schedule(source: source, defaults: settings, segments: [
            Segment(layers: [LayerWeight(name: layer, place: "--layer")], frames: frames, settings: settings, place: "--layer"),
        ])
    }

    /// Schedules larger than this are refused before they are read: the presets are about 2 KB, and
    /// a one-line 1.5 MB file (120,000 keyframes) parses in well under a second.
    public static let maxFileBytes = 16_000_000

    public static func load(path: String) throws(ScheduleError) -> Schedule {
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, limit: maxFileBytes)
        } catch {
            let reason: String
            switch error {
            case .missing: reason = "no such file"
            case .isDirectory: reason = "it is a directory; give a JSON file"
            case .notAFile(let kind): reason = "it is \(kind), not a file; give a JSON file"
            case .tooLarge(let size, let limit): reason = "it is \(size) bytes, more than the \(limit) a schedule may have"
            case .unreadable(let why): reason = why
            }
            throw .unreadable(file: path, reason: reason)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .unreadable(file: path, reason: "not readable UTF-8 text")
        }
        return try Schedule(json: text, source: path)
    }

    public init(json text: String, source: String) throws(ScheduleError) {
        let root: JSONValue
        do {
            root = try JSONParser.parse(text)
        } catch {
            throw .invalidJSON(file: source, line: error.line, column: error.column, reason: error.reason)
        }
        let file = source
        let top = try Self.members(of: root, file: file, place: "top level")
        try Self.rejectUnknown(top, valid: ["model", "defaults", "segments"], file: file, place: "top level")

        var model: String? = nil
        if let m = top.first(where: { $0.key == "model" }) {
            guard case .string(let s) = m.value.kind else {
                throw .wrongType(file: file, place: "model", expected: "a model name in double quotes", found: m.value.typeName)
            }
            model = s
        }

        var defaults = SegmentSettings()
        if let d = top.first(where: { $0.key == "defaults" }) {
            let ms = try Self.members(of: d.value, file: file, place: "defaults")
            try Self.rejectUnknown(ms, valid: Self.settingKeys, file: file, place: "defaults")
            try Self.applySettings(ms, to: &defaults, file: file, place: "defaults")
        }

        guard let segs = top.first(where: { $0.key == "segments" }) else {
            throw .missingKey(file: file, place: "top level", key: "segments",
                              hint: "give a list such as \"segments\": [{\"layer\": \"NAME\", \"frames\": 100}]")
        }
        guard case .array(let items) = segs.value.kind else {
            throw .wrongType(file: file, place: "segments", expected: "a list of segments", found: segs.value.typeName)
        }
        if items.isEmpty {
            throw .empty(file: file, place: "segments", hint: "give at least one segment such as {\"layer\": \"NAME\", \"frames\": 100}")
        }
        var segments: [Segment] = []
        for (i, item) in items.enumerated() {
            segments.append(try Self.segment(item, index: i, defaults: defaults, file: file))
        }
        self.init(source: source, model: model, defaults: defaults, segments: segments)
    }

    private static let settingKeys = SettingKey.allCases.map(\.rawValue) + ["easing"]
    private static let segmentKeys = ["layer", "layers", "frames"] + settingKeys

    private static func segment(_ v: JSONValue, index i: Int, defaults: SegmentSettings, file: String) throws(ScheduleError) -> Segment {
        let place = "segments[\(i)]"
        let ms = try members(of: v, file: file, place: place)
        try rejectUnknown(ms, valid: segmentKeys, file: file, place: place)

        let single = ms.first { $0.key == "layer" }
        let blend = ms.first { $0.key == "layers" }
        var layers: [LayerWeight] = []
        switch (single, blend) {
        case (nil, nil):
            throw .missingKey(file: file, place: place, key: "layer",
                              hint: "give \"layer\": \"NAME\" or \"layers\": {\"NAME\": 1.0, ...}")
        case (.some, .some):
            throw .conflictingKeys(file: file, place: place, keys: ["layer", "layers"])
        case (let s?, nil):
            guard case .string(let name) = s.value.kind else {
                throw .wrongType(file: file, place: "\(place).layer", expected: "a layer name in double quotes", found: s.value.typeName)
            }
            layers = [try layerWeight(name, weight: 1, file: file, place: "\(place).layer")]
        case (nil, let b?):
            guard case .object(let pairs) = b.value.kind else {
                throw .wrongType(file: file, place: "\(place).layers",
                                 expected: "an object of layer weights such as {\"mixed_4\": 1.0}", found: b.value.typeName)
            }
            if pairs.isEmpty {
                throw .empty(file: file, place: "\(place).layers", hint: "give at least one layer with its weight, such as {\"mixed_4\": 1.0}")
            }
            for p in pairs {
                let wp = "\(place).layers.\(p.key)"
                guard case .number(let w) = p.value.kind else {
                    throw .wrongType(file: file, place: wp, expected: "a weight (a number)", found: p.value.typeName)
                }
                if !(-100...100).contains(w) || w == 0 {
                    throw .outOfRange(file: file, place: wp, value: JSONValue.format(w), range: "-100...100, not 0")
                }
                layers.append(try layerWeight(p.key, weight: Float(w), file: file, place: wp))
            }
        }

        guard let f = ms.first(where: { $0.key == "frames" }) else {
            throw .missingKey(file: file, place: place, key: "frames", hint: "give the segment's length, such as \"frames\": 100")
        }
        let frames = try frameCount(f.value, file: file, place: "\(place).frames")

        var settings = defaults
        try applySettings(ms, to: &settings, file: file, place: place)
        return Segment(layers: layers, frames: frames, settings: settings, place: place)
    }

    /// "mixed_5", or "mixed_5:12" / "mixed_5:12,40,97" for only those channels of the layer.
    public static func layerWeight(_ spec: String, weight: Float, file: String, place: String) throws(ScheduleError) -> LayerWeight {
        guard let colon = spec.firstIndex(of: ":") else { return LayerWeight(name: spec, weight: weight, place: place) }
        let name = String(spec[..<colon])
        var channels: [Int] = []
        for part in spec[spec.index(after: colon)...].split(separator: ",", omittingEmptySubsequences: false) {
            guard let c = Int(part.trimmingCharacters(in: .whitespaces)), c >= 0 else {
                throw .wrongType(file: file, place: place, expected: "a layer with channel numbers such as \"mixed_5:12\" or \"mixed_5:12,40\"",
                                 found: "\"\(spec)\"")
            }
            channels.append(c)
        }
        return LayerWeight(name: name, weight: weight, channels: channels, place: place)
    }

    private static func frameCount(_ v: JSONValue, file: String, place: String) throws(ScheduleError) -> Int {
        guard case .number(let n) = v.kind, n == n.rounded() else {
            throw .wrongType(file: file, place: place, expected: "a whole number of frames", found: v.typeName)
        }
        if n < 1 { throw .nonPositiveFrames(file: file, place: place, value: JSONValue.format(n)) }
        if n > 1_000_000 { throw .outOfRange(file: file, place: place, value: JSONValue.format(n), range: "1...1000000") }
        return Int(n)
    }

    private static func members(of v: JSONValue, file: String, place: String) throws(ScheduleError) -> [JSONValue.Member] {
        guard case .object(let ms) = v.kind else {
            throw .wrongType(file: file, place: place, expected: "an object in braces { }", found: v.typeName)
        }
        return ms
    }

    private static func rejectUnknown(_ ms: [JSONValue.Member], valid: [String], file: String, place: String) throws(ScheduleError) {
        for m in ms where !valid.contains(m.key) {
            throw .unknownKey(file: file, place: place, key: m.key, suggestion: closest(to: m.key, in: valid), validKeys: valid)
        }
    }

    private static func applySettings(_ ms: [JSONValue.Member], to s: inout SegmentSettings, file: String, place: String) throws(ScheduleError) {
        for m in ms {
            if m.key == "easing" {
                let choices = Easing.allCases.map(\.rawValue)
                guard case .string(let e) = m.value.kind, let easing = Easing(rawValue: e) else {
                    throw .wrongType(file: file, place: "\(place).easing", expected: "one of \(choices.joined(separator: ", ")) in double quotes",
                                     found: m.value.typeName)
                }
                s.easing = easing
                continue
            }
            guard let key = SettingKey(rawValue: m.key) else { continue }
            let p = "\(place).\(m.key)"
            if MusicBindings.canBind(key), case .object(let pairs) = m.value.kind, pairs.contains(where: { $0.key == "music" }) {
                key.bind(try MusicBindings.parse(pairs, key: key, file: file, place: p), to: &s)
                continue
            }
            if key.isKeyframable, case .object(let pairs) = m.value.kind {
                if pairs.isEmpty {
                    throw .empty(file: file, place: p, hint: "give keyframes such as {\"0\": 1.05, \"150\": 1.02}, or one number")
                }
                var keys: [(frame: Int, value: Double)] = []
                for pair in pairs {
                    let kp = "\(p).\(pair.key)"
                    guard let f = Int(pair.key), f >= 0, f <= 10_000_000 else {
                        throw .wrongType(file: file, place: kp, expected: "a frame number (0 is the first frame) as the key",
                                         found: "\"\(pair.key)\"")
                    }
                    guard case .number(let v) = pair.value.kind else {
                        throw .wrongType(file: file, place: kp, expected: "a number in \(key.rangeDescription)", found: pair.value.typeName)
                    }
                    try key.check(v, file: file, place: kp)
                    keys.append((f, v))
                }
                key.apply(Keyframes(keys), to: &s)
                continue
            }
            guard case .number(let v) = m.value.kind else {
                throw .wrongType(file: file, place: p, expected: "a number in \(key.rangeDescription)", found: m.value.typeName)
            }
            try key.check(v, file: file, place: p)
            key.apply(v, to: &s)
        }
    }

    /// Every layer named anywhere must be one of `layers` (the network's, shallow to deep).
    public func validate(layers: [String], network: String = "the network") throws(ScheduleError) {
        for seg in segments {
            for l in seg.layers where !layers.contains(l.name) {
                throw .unknownLayer(file: source, place: l.place, layer: l.name, network: network,
                                    suggestion: closest(to: l.name, in: layers), layers: layers)
            }
        }
    }

    /// The file's "model", if it gave one, must be one of `models`.
    public func validate(models: [String]) throws(ScheduleError) {
        if let m = model, !models.contains(m) {
            throw .unknownModel(file: source, place: "model", model: m, suggestion: closest(to: m, in: models), models: models)
        }
    }
}
