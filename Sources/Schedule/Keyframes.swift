import Imaging

/// How a keyframed value moves between two keys.
public enum Easing: String, Sendable, Equatable, CaseIterable, Codable {
    /// Constant speed from key to key.
    case linear
    /// Smoothstep: starts and stops gently, so a change of zoom speed never jolts.
    case smooth

    func apply(_ t: Double) -> Double {
        switch self {
        case .linear: return t
        case .smooth: return t * t * (3 - 2 * t)
        }
    }
}

/// A value given at some frames (counted from 0 at the video's first frame) and interpolated between
/// them; held at the first key before it and at the last key after it.
public struct Keyframes: Sendable, Equatable {
    public var keys: [(frame: Int, value: Double)]

    public init(_ keys: [(frame: Int, value: Double)]) {
        precondition(!keys.isEmpty, "keyframes need at least one key")
        self.keys = keys.sorted { $0.frame < $1.frame }
    }

    public func value(atFrame f: Int, easing: Easing) -> Double {
        guard let first = keys.first, let last = keys.last else { return 0 }
        if f <= first.frame { return first.value }
        if f >= last.frame { return last.value }
        let i = keys.firstIndex { $0.frame > f }!
        let a = keys[i - 1], b = keys[i]
        let t = easing.apply(Double(f - a.frame) / Double(b.frame - a.frame))
        return a.value + t * (b.value - a.value)
    }

    public static func == (l: Keyframes, r: Keyframes) -> Bool {
        l.keys.count == r.keys.count && zip(l.keys, r.keys).allSatisfy { $0.frame == $1.frame && $0.value == $1.value }
    }
}

/// The camera's keyframed parts; a part without keys takes the constant in `SegmentSettings.camera`.
public struct CameraKeyframes: Sendable, Equatable {
    public var zoom: Keyframes?
    public var rotation: Keyframes?
    public var translationX: Keyframes?
    public var translationY: Keyframes?
    public var centreX: Keyframes?
    public var centreY: Keyframes?
    public init() {}

    /// `base` with every keyframed part set to its value at frame index `f` (0 = the first frame).
    public func camera(_ base: Camera, atFrame f: Int, easing: Easing) -> Camera {
        var c = base
        if let k = zoom { c.zoom = k.value(atFrame: f, easing: easing) }
        if let k = rotation { c.rotation = k.value(atFrame: f, easing: easing) }
        if let k = translationX { c.translationX = k.value(atFrame: f, easing: easing) }
        if let k = translationY { c.translationY = k.value(atFrame: f, easing: easing) }
        if let k = centreX { c.centreX = k.value(atFrame: f, easing: easing) }
        if let k = centreY { c.centreY = k.value(atFrame: f, easing: easing) }
        return c
    }
}
