/// Where finished frames go (an MP4 encoder, a PNG sequence). Frames arrive in order, all of the
/// same size; `finish` completes the output so that it is valid. A sink that is never finished
/// must not leave a file that looks complete.
public protocol FrameSink: AnyObject {
    func write(_ frame: FloatImage) throws
    func finish() throws
}
