import Foundation
import FrameLoop
import XCTest
import Imaging
import Schedule

/// A smooth colourful pattern that drifts with `t`: what the MP4 tests encode.
func movingPattern(width w: Int, height h: Int, t: Int) -> FloatImage {
    var img = FloatImage(width: w, height: h)
    let plane = w * h
    for y in 0..<h {
        for x in 0..<w {
            let fx = Float(x + 3 * t), fy = Float(y + 2 * t)
            let i = y * w + x
            img.pixels[i] = 128 + 90 * sin(fx / 23)
            img.pixels[plane + i] = 128 + 90 * cos(fy / 19)
            img.pixels[2 * plane + i] = 128 + 80 * sin((fx + fy) / 31)
        }
    }
    return img
}

/// Top-level MP4 box types in file order.
func topLevelBoxes(_ path: String) throws -> [String] {
    let b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    var pos = 0, types: [String] = []
    while pos + 8 <= b.count {
        var size = b[pos..<pos + 4].reduce(0) { $0 << 8 | Int($1) }
        types.append(String(decoding: b[pos + 4..<pos + 8], as: UTF8.self))
        if size == 1 { size = b[pos + 8..<pos + 16].reduce(0) { $0 << 8 | Int($1) } }
        if size == 0 { break }
        pos += size
    }
    return types
}

/// Names starting with a dot in `folder`: the temporaries a writer left.
func hiddenFiles(_ folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".") }.sorted()
}
