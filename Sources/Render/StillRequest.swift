import Net
import Schedule

/// What `dream` and `gallery` are both asked for: the picture read, the PNG written, the network and
/// how to dream (the parsed option values as plain Swift values). `DreamRequest` and `GalleryRequest`
/// add their own and read these as their own members.
public struct StillRequest {
    public var input: String
    /// The PNG to write (a dreamed picture, or a gallery's sheet).
    public var output: String
    public var model = ModelStore.defaultModel
    /// Octaves, octave scale, steps, step size, jitter and dream scale (each nil: the default).
    public var settings = Overrides()
    public var seed: UInt64 = 0
    /// nil: every core.
    public var threads: Int?
    public var precision = Precision.f32
    public var overwrite = false

    public init(input: String, output: String) { self.input = input; self.output = output }
}

/// A request that holds a `StillRequest` and reads its members as its own (`request.seed`).
public protocol HoldsStillRequest {
    var still: StillRequest { get set }
}

extension HoldsStillRequest {
    public subscript<T>(dynamicMember key: WritableKeyPath<StillRequest, T>) -> T {
        get { still[keyPath: key] }
        set { still[keyPath: key] = newValue }
    }
}
