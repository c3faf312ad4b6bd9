import Foundation
import Imaging
import Media
import Render
import TestSupport
import XCTest

/// A small picture drawn here (a diagonal gradient with a bright square), written by the real PNG
/// encoder, and a request for a short SqueezeNet render of it: what the Render tests set up.
enum RenderFixtures {
    static func picture(width: Int = 160, height: Int = 96) -> FloatImage {
        var bytes = [UInt8](repeating: 0, count: 3 * width * height)
        for y in 0..<height {
            for x in 0..<width {
                let i = 3 * (y * width + x)
                let square = (40..<80).contains(x) && (30..<60).contains(y)
                bytes[i] = square ? 240 : UInt8(x * 255 / width)
                bytes[i + 1] = square ? 220 : UInt8(y * 255 / height)
                bytes[i + 2] = UInt8((x + y) * 127 / (width + height))
            }
        }
        return FloatImage(rgb8: bytes, width: width, height: height)
    }

    /// The picture as DIR/start.png.
    static func startImage(in dir: String, width: Int = 160, height: Int = 96) throws -> String {
        let path = dir + "/start.png"
        try PNGWriter.write(picture(width: width, height: height), to: path)
        return path
    }

    /// Two frames of squeezenet1_1's fire3 at 96x96 into DIR/out.mp4, one thread (the settings record's
    /// thread count is part of the result), presets found in the checkout's presets/.
    static func request(input: String, in dir: String) -> RenderRequest {
        var r = RenderRequest(input: input)
        r.output = dir + "/out.mp4"
        r.model = "squeezenet1_1"
        r.size = OutputSize(width: 96, height: 96)
        r.threads = 1
        r.overrides.layer = "fire3"
        r.overrides.frames = 2
        r.overrides.octaves = 1
        r.overrides.steps = 1
        r.commandLine = ["start.png", "--model", "squeezenet1_1"]
        return r
    }

    /// The error `work` throws, described as the command prints it; fails the test when it throws none.
    static func message(file: StaticString = #filePath, line: UInt = #line, _ work: () throws -> Void) -> String {
        do {
            try work()
            XCTFail("expected an error", file: file, line: line)
            return ""
        } catch {
            return "\(error)"
        }
    }
}
