/// Where finished frames go (an MP4 encoder, a PNG sequence). Frames arrive in order, all of the
/// same size; `finish` completes the output so that it is valid. A sink that is never finished
/// must not leave a file that looks complete.
public protocol FrameSink: AnyObject {
    func write(_ frame: FloatImage) throws
    func finish() throws
}

/// Several sinks fed the same frames, in order (an MP4 and a PNG sequence from one render).
public final class FanOutSink: FrameSink {
    public let sinks: [FrameSink]
    public init(_ sinks: [FrameSink]) { self.sinks = sinks }

    public func write(_ frame: FloatImage) throws {
        for sink in sinks { try sink.write(frame) }
    }

    public func finish() throws {
        for sink in sinks { try sink.finish() }
    }
}
