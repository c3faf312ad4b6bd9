import Foundation
import Imaging

/// `--music-plot`: what drove what, over the video's frames. Three panels on one time axis: the
/// loudness envelope, the onset curve (a tick at each onset found, through every panel), and the
/// zoom each frame gets; labelled with the bitmap font.
public enum MusicPlot {
    static let panelHeight = 110
    static let margin = 12
    static let labelScale = 2

    public static func draw(curves: MusicCurves, zoom: [Double]) -> FloatImage {
        let frames = max(curves.frames, zoom.count, 1)
        let plotWidth = min(1800, max(600, frames * 3))
        let labelRow = BitmapFont.glyphHeight * labelScale + 6
        let width = plotWidth + 2 * margin
        let height = 3 * (panelHeight + labelRow) + labelRow + 2 * margin
        var image = FloatImage(width: width, height: height, fill: 250)
        let plane = width * height
        func put(_ x: Int, _ y: Int, _ c: (Float, Float, Float)) {
            guard x >= 0, x < width, y >= 0, y < height else { return }
            image.pixels[y * width + x] = c.0
            image.pixels[plane + y * width + x] = c.1
            image.pixels[2 * plane + y * width + x] = c.2
        }
        func xOf(_ f: Double) -> Int { margin + Int((f / Double(max(frames - 1, 1)) * Double(plotWidth - 1)).rounded()) }
        let ink: (Float, Float, Float) = (40, 40, 40), grid: (Float, Float, Float) = (215, 215, 215)
        let tick: (Float, Float, Float) = (235, 190, 150)

        func panel(_ index: Int, title: String, values: [Double], low: Double, high: Double, colour: (Float, Float, Float), filled: Bool) {
            let top = margin + index * (panelHeight + labelRow) + labelRow
            BitmapFont.draw(title, into: &image, x: margin, y: top - labelRow + 3, scale: labelScale,
                            colour: (red: ink.0, green: ink.1, blue: ink.2))
            for x in margin..<(margin + plotWidth) { put(x, top, grid); put(x, top + panelHeight - 1, grid) }
            for o in curves.onsets {
                let x = xOf(o.time * curves.fps)
                for y in top..<(top + panelHeight) { put(x, y, tick) }
            }
            let span = high > low ? high - low : 1
            func yOf(_ v: Double) -> Int { top + panelHeight - 1 - Int(((v - low) / span * Double(panelHeight - 1)).rounded()) }
            var last: (Int, Int)?
            for (f, v) in values.enumerated() {
                let x = xOf(Double(f)), y = min(max(yOf(v), top), top + panelHeight - 1)
                if filled {
                    // Every column from the previous point's, so the area under the curve is solid.
                    let light = (colour.0 * 0.4 + 150, colour.1 * 0.4 + 150, colour.2 * 0.4 + 150)
                    let (px, py) = last ?? (x, y)
                    for xx in min(px + 1, x)...x {
                        let yy = px == x ? y : py + (y - py) * (xx - px) / (x - px)
                        for fy in yy..<(top + panelHeight) { put(xx, fy, light) }
                    }
                }
                if let (px, py) = last {
                    // A line from the previous point: every column between, so steep rises stay joined.
                    let steps = max(abs(x - px), abs(y - py), 1)
                    for s in 0...steps {
                        let xx = px + (x - px) * s / steps, yy = py + (y - py) * s / steps
                        put(xx, yy, colour); put(xx, yy + 1, colour)
                    }
                } else {
                    put(x, y, colour)
                }
                last = (x, y)
            }
        }
        panel(0, title: "loudness 0-1", values: curves.loudness, low: 0, high: 1, colour: (40, 90, 200), filled: true)
        panel(1, title: "onsets (\(curves.onsets.count)) 0-1", values: curves.onset, low: 0, high: 1, colour: (220, 110, 20), filled: false)
        let lo = zoom.min() ?? 1, hi = zoom.max() ?? 1
        let pad = max((hi - lo) * 0.1, 0.001)
        panel(2, title: String(format: "zoom %.3f-%.3f", lo, hi), values: zoom, low: lo - pad, high: hi + pad, colour: (30, 150, 60), filled: false)
        let axisY = margin + 3 * (panelHeight + labelRow) + 3
        let seconds = Double(frames) / curves.fps
        BitmapFont.draw("frame 1", into: &image, x: margin, y: axisY, scale: labelScale, colour: (red: ink.0, green: ink.1, blue: ink.2))
        let end = String(format: "frame %d (%.1f s)", frames, seconds)
        BitmapFont.draw(end, into: &image, x: margin + plotWidth - BitmapFont.width(of: end, scale: labelScale), y: axisY,
                        scale: labelScale, colour: (red: ink.0, green: ink.1, blue: ink.2))
        return image
    }
}
