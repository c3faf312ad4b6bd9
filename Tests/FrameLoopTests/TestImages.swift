import Foundation
import FrameLoop
import Imaging
import Schedule

/// Deterministic pictures with structure at several scales, for resampling tests.
enum TestImages {
    static func smooth(width: Int, height: Int) -> FloatImage {
        var img = FloatImage(width: width, height: height)
        let plane = width * height
        for y in 0..<height {
            for x in 0..<width {
                let fx = Double(x) / Double(width), fy = Double(y) / Double(height)
                img.pixels[y * width + x] = Float(128 + 100 * sin(6.1 * fx + 2 * fy))
                img.pixels[plane + y * width + x] = Float(128 + 90 * cos(4.3 * fy - 3 * fx))
                img.pixels[2 * plane + y * width + x] = Float(128 + 80 * sin(9 * fx * fy + 1))
            }
        }
        return img
    }

    static func checkerboard(width: Int, height: Int, cell: Int = 1) -> FloatImage {
        var img = FloatImage(width: width, height: height)
        let plane = width * height
        for c in 0..<3 {
            for y in 0..<height {
                for x in 0..<width where ((x / cell) + (y / cell)) % 2 == 0 {
                    img.pixels[c * plane + y * width + x] = 255
                }
            }
        }
        return img
    }

    /// A flat grey picture with one bright square whose top-left corner is at (x, y).
    static func square(width: Int, height: Int, x: Int, y: Int, size: Int) -> FloatImage {
        var img = FloatImage(width: width, height: height, fill: 50)
        let plane = width * height
        for c in 0..<3 {
            for j in y..<(y + size) { for i in x..<(x + size) { img.pixels[c * plane + j * width + i] = 250 } }
        }
        return img
    }

    /// Centre of mass of the brightness above the background, channel 0.
    static func centroid(_ img: FloatImage, background: Float = 50) -> (x: Double, y: Double) {
        var sx = 0.0, sy = 0.0, s = 0.0
        for y in 0..<img.height {
            for x in 0..<img.width {
                let v = Double(max(0, img.pixels[y * img.width + x] - background))
                sx += v * (Double(x) + 0.5); sy += v * (Double(y) + 0.5); s += v
            }
        }
        return (sx / s, sy / s)
    }

    static func maxAbsDifference(_ a: FloatImage, _ b: FloatImage) -> Float {
        zip(a.pixels, b.pixels).map { abs($0 - $1) }.max() ?? 0
    }
}
