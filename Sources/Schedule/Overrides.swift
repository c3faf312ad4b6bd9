/// Command-line settings that win over the schedule file: `layer` replaces the schedule by one
/// segment on that layer (with the file's defaults); `frames` is that segment's length, or, with a
/// file's segments, cuts the video after that many frames; the rest apply to every segment.
public struct Overrides: Sendable, Equatable {
    public var layer: String?
    public var frames: Int?
    public var octaves: Int?
    public var octaveScale: Double?
    public var steps: Int?
    public var stepSize: Double?
    public var jitter: Int?
    public var zoom: Double?
    public var rotate: Double?
    public var translateX: Double?
    public var translateY: Double?
    public var colourCoherence: Double?
    public var sharpen: Double?
    public var cadence: Int?
    public var dreamScale: Int?

    public init(layer: String? = nil, frames: Int? = nil, octaves: Int? = nil, octaveScale: Double? = nil,
                steps: Int? = nil, stepSize: Double? = nil, jitter: Int? = nil, zoom: Double? = nil,
                rotate: Double? = nil, translateX: Double? = nil, translateY: Double? = nil) {
        self.layer = layer; self.frames = frames; self.octaves = octaves; self.octaveScale = octaveScale
        self.steps = steps; self.stepSize = stepSize; self.jitter = jitter; self.zoom = zoom
        self.rotate = rotate; self.translateX = translateX; self.translateY = translateY
    }

    var settingValues: [(SettingKey, Double)] {
        var out: [(SettingKey, Double)] = []
        if let v = octaves { out.append((.octaves, Double(v))) }
        if let v = octaveScale { out.append((.octave_scale, v)) }
        if let v = steps { out.append((.steps, Double(v))) }
        if let v = stepSize { out.append((.step_size, v)) }
        if let v = jitter { out.append((.jitter, Double(v))) }
        if let v = zoom { out.append((.zoom, v)) }
        if let v = rotate { out.append((.rotate, v)) }
        if let v = translateX { out.append((.translate_x, v)) }
        if let v = translateY { out.append((.translate_y, v)) }
        if let v = colourCoherence { out.append((.colour_coherence, v)) }
        if let v = sharpen { out.append((.sharpen, v)) }
        if let v = cadence { out.append((.cadence, Double(v))) }
        if let v = dreamScale { out.append((.dream_scale, Double(v))) }
        return out
    }
}

extension Schedule {
    /// This schedule with the command line's overrides applied; refused (naming the flag and the
    /// valid range) if a value is out of range. Layer names are checked later, against the network.
    public func applying(_ o: Overrides) throws(ScheduleError) -> Schedule {
        let cli = "command line"
        if let f = o.frames, f < 1 { throw .nonPositiveFrames(file: cli, place: "--frames", value: String(f)) }
        for (key, v) in o.settingValues { try key.check(v, file: cli, place: key.flag) }

        var out = self
        if let layer = o.layer {
            out = Schedule.single(layer: layer, frames: o.frames ?? totalFrames, settings: defaults, source: cli)
            out.segments[0].layers = [try Schedule.layerWeight(layer, weight: 1, file: cli, place: "--layer")]
            out.model = model
        } else if let limit = o.frames {
            out = out.truncated(toFrames: limit)
        }
        for (key, v) in o.settingValues {
            key.apply(v, to: &out.defaults)
            for i in out.segments.indices { key.apply(v, to: &out.segments[i].settings) }
        }
        return out
    }
}

extension Schedule {
    /// The first `frames` frames of this schedule (all of it when it is shorter): later segments
    /// dropped, the last one kept cut.
    public func truncated(toFrames frames: Int) -> Schedule {
        var out = self
        var kept: [Segment] = []
        var remaining = frames
        for var seg in segments where remaining > 0 {
            seg.frames = min(seg.frames, remaining)
            remaining -= seg.frames
            kept.append(seg)
        }
        out.segments = kept
        return out
    }
}
