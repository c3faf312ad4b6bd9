import Media
import Foundation
import FrameLoop
import XCTest
import TestSupport
import Imaging
import Schedule

/// Prints encode speeds (nothing asserted about time: the machine's speed varies).
final class ThroughputTests: XCTestCase {
    /// A 640x360 window panning across a real photo, so the encoder sees natural detail and motion.
    func panFrame(_ photo: FloatImage, t: Int) -> FloatImage {
        let w = 640, h = 360, plane = w * h, srcPlane = photo.width * photo.height
        let x0 = (2 * t) % (photo.width - w), y0 = t % (photo.height - h)
        var out = FloatImage(width: w, height: h)
        for c in 0..<3 {
            for y in 0..<h {
                let src = c * srcPlane + (y0 + y) * photo.width + x0
                out.pixels.replaceSubrange((c * plane + y * w)..<(c * plane + (y + 1) * w), with: photo.pixels[src..<src + w])
            }
        }
        return out
    }

    func testMP4AndPNGThroughputAt640x360() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let photo = try ImageDecoder().decode(path: try testPhoto("dog.jpg"))
        let n = 90
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        for preset in ["medium", "veryfast"] {
            let path = dir + "/\(preset).mp4"
            let sink = try MP4Sink(path: path, options: .init(preset: preset))
            var spent = 0.0
            for t in 0..<n {
                let f = panFrame(photo, t: t)
                spent += try seconds { try sink.write(f) }
            }
            spent += try seconds { try sink.finish() }
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            print("MP4 640x360 libx264 crf 18 \(preset): \(n) frames in \(String(format: "%.2f", spent)) s = \(String(format: "%.1f", Double(n) / spent)) fps, \(size / 1024) KiB")
            XCTAssertEqual(try probe(path)["nb_read_frames"] as? String, String(n))
        }
        let sink = try PNGSequenceSink(directory: dir + "/png")
        var spent = 0.0
        for t in 0..<30 {
            let f = panFrame(photo, t: t)
            spent += try seconds { try sink.write(f) }
        }
        print("PNG sequence 640x360 (fast zlib): \(String(format: "%.1f", spent / 30 * 1000)) ms a frame")
        let kite = try testPhoto("kite.jpg")
        let jpegTime = try seconds { _ = try ImageDecoder().decode(path: kite) }
        let pngPath = dir + "/kite.png"
        try PNGWriter.write(try ImageDecoder().decode(path: kite), to: pngPath)
        let pngTime = try seconds { _ = try ImageDecoder().decode(path: pngPath) }
        print("decode 1352x900 to FloatImage: JPEG \(String(format: "%.1f", jpegTime * 1000)) ms, PNG \(String(format: "%.1f", pngTime * 1000)) ms")
    }
}
