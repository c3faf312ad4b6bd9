/// Pictures laid out as one labelled sheet: a grid of equal tiles, left to right then top to
/// bottom, each with its label on a dark strip underneath, `gap` pixels around and between.
public struct ContactSheet: Sendable, Equatable {
    public var tileWidth: Int
    public var tileHeight: Int
    public var columns: Int
    /// Integer scale of the 5x9 bitmap font; 2 is easy to read on a 320-pixel tile. A label too wide
    /// for its tile is drawn at scale 1, then cut short.
    public var labelScale: Int
    public var gap: Int

    public init(tileWidth: Int, tileHeight: Int, columns: Int, labelScale: Int = 2, gap: Int = 4) {
        precondition(tileWidth > 0 && tileHeight > 0 && columns > 0 && labelScale > 0 && gap >= 0)
        self.tileWidth = tileWidth; self.tileHeight = tileHeight; self.columns = columns
        self.labelScale = labelScale; self.gap = gap
    }

    /// A squarish grid of tiles: as many columns as rows, or one more.
    public static func columns(for count: Int) -> Int {
        max(1, Int(Double(max(1, count)).squareRoot().rounded(.up)))
    }

    public static let padding = 3
    public var labelHeight: Int { BitmapFont.glyphHeight * labelScale + 2 * Self.padding }

    public func rows(for count: Int) -> Int { (count + columns - 1) / columns }

    public func size(for count: Int) -> (width: Int, height: Int) {
        let r = rows(for: count)
        return (columns * tileWidth + (columns + 1) * gap, r * (tileHeight + labelHeight) + (r + 1) * gap)
    }

    /// Top-left corner of tile `index`'s picture; its label strip is right below it.
    public func origin(of index: Int) -> (x: Int, y: Int) {
        let col = index % columns, row = index / columns
        return (gap + col * (tileWidth + gap), gap + row * (tileHeight + labelHeight + gap))
    }

    public static let background: Float = 40
    public static let strip: Float = 12
    public static let ink: (red: Float, green: Float, blue: Float) = (240, 240, 240)

    /// The sheet; each tile is cover-cropped to tileWidth x tileHeight if it has another size.
    public func render(_ tiles: [(image: FloatImage, label: String)]) -> FloatImage {
        let (w, h) = size(for: tiles.count)
        var sheet = FloatImage(width: w, height: h, fill: Self.background)
        for (i, tile) in tiles.enumerated() {
            let (x, y) = origin(of: i)
            let picture = tile.image.width == tileWidth && tile.image.height == tileHeight
                ? tile.image : tile.image.coverCropped(width: tileWidth, height: tileHeight)
            sheet.paste(picture, x: x, y: y)
            sheet.fill(x: x, y: y + tileHeight, width: tileWidth, height: labelHeight, value: Self.strip)
            let (text, scale) = fitted(tile.label)
            let top = y + tileHeight + (labelHeight - BitmapFont.glyphHeight * scale) / 2
            BitmapFont.draw(text, into: &sheet, x: x + Self.padding + 1, y: top, scale: scale, colour: Self.ink)
        }
        return sheet
    }

    /// The label and scale that fit the tile's width: the sheet's scale, then 1, then cut with "..".
    func fitted(_ label: String) -> (String, Int) {
        let room = tileWidth - 2 * (Self.padding + 1)
        for scale in Set([labelScale, 1]).sorted(by: >) where BitmapFont.width(of: label, scale: scale) <= room {
            return (label, scale)
        }
        var text = label
        while !text.isEmpty && BitmapFont.width(of: text + "..", scale: 1) > room { text.removeLast() }
        return (text + "..", 1)
    }
}

extension FloatImage {
    /// Copies `other` with its top-left corner at (x, y); what falls outside is dropped.
    public mutating func paste(_ other: FloatImage, x: Int, y: Int) {
        let plane = width * height, otherPlane = other.width * other.height
        for c in 0..<3 {
            for row in 0..<other.height where y + row >= 0 && y + row < height {
                for col in 0..<other.width where x + col >= 0 && x + col < width {
                    pixels[c * plane + (y + row) * width + x + col] = other.pixels[c * otherPlane + row * other.width + col]
                }
            }
        }
    }

    /// Sets a rectangle (clipped to the image) to one grey value.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, value: Float) {
        let plane = width * height
        let rows = max(0, y)..<max(max(0, y), min(height, y + h))
        let cols = max(0, x)..<max(max(0, x), min(width, x + w))
        for c in 0..<3 {
            for row in rows {
                for col in cols { pixels[c * plane + row * width + col] = value }
            }
        }
    }
}
