/// A small bitmap font for labels (a contact sheet's layer names): lower-case letters, digits and
/// the punctuation of layer names and figures, each 5 pixels wide in a cell 9 tall (rows 0...6 down
/// to the baseline, rows 7...8 for the tails of g j p q y and the underscore), drawn at an integer
/// scale. Designed for this project; upper-case letters are drawn as lower-case, anything else as ?.
public enum BitmapFont {
    public static let glyphWidth = 5
    public static let glyphHeight = 9
    /// Horizontal distance from one character to the next at scale 1.
    public static let advance = 6

    /// Width in pixels of `text` drawn at `scale` (no trailing gap).
    public static func width(of text: String, scale: Int) -> Int {
        text.isEmpty ? 0 : (text.count * advance - 1) * scale
    }

    /// Draws `text` with its cell's top-left corner at (x, y); pixels outside the image are skipped.
    public static func draw(_ text: String, into image: inout FloatImage, x: Int, y: Int, scale: Int,
                            colour: (red: Float, green: Float, blue: Float)) {
        let plane = image.width * image.height
        let rgb = [colour.red, colour.green, colour.blue]
        for (n, ch) in text.enumerated() {
            let rows = glyph(ch)
            let left = x + n * advance * scale
            for (r, row) in rows.enumerated() {
                for (c, bit) in row.enumerated() where bit == "#" {
                    for dy in 0..<scale {
                        let py = y + r * scale + dy
                        guard py >= 0 && py < image.height else { continue }
                        for dx in 0..<scale {
                            let px = left + c * scale + dx
                            guard px >= 0 && px < image.width else { continue }
                            for k in 0..<3 { image.pixels[k * plane + py * image.width + px] = rgb[k] }
                        }
                    }
                }
            }
        }
    }

    /// The 9 rows of a character's glyph, '#' for ink.
    static func glyph(_ ch: Character) -> [Substring] {
        let key = Character(ch.lowercased())
        let rows = glyphs[key] ?? glyphs["?"]!
        let split = rows.split(separator: " ")
        return split + Array(repeating: ".....", count: glyphHeight - split.count)
    }

    /// Each glyph as its rows from the top, space separated; missing bottom rows are blank.
    static let glyphs: [Character: String] = [
        "a": "..... ..... .###. ....# .#### #...# .####",
        "b": "#.... #.... #.##. ##..# #...# #...# ####.",
        "c": "..... ..... .###. #.... #.... #...# .###.",
        "d": "....# ....# .##.# #..## #...# #...# .####",
        "e": "..... ..... .###. #...# ##### #.... .###.",
        "f": "..##. .#..# .#... ###.. .#... .#... .#...",
        "g": "..... ..... .#### #...# #...# #...# .#### ....# .###.",
        "h": "#.... #.... #.##. ##..# #...# #...# #...#",
        "i": "..#.. ..... .##.. ..#.. ..#.. ..#.. .###.",
        "j": "...#. ..... ..##. ...#. ...#. ...#. ...#. #..#. .##..",
        "k": "#.... #.... #..#. #.#.. ##... #.#.. #..#.",
        "l": ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. ...##",
        "m": "..... ..... ##.#. #.#.# #.#.# #.#.# #.#.#",
        "n": "..... ..... #.##. ##..# #...# #...# #...#",
        "o": "..... ..... .###. #...# #...# #...# .###.",
        "p": "..... ..... ####. #...# #...# #...# ####. #.... #....",
        "q": "..... ..... .#### #...# #...# #...# .#### ....# ....#",
        "r": "..... ..... #.##. ##..# #.... #.... #....",
        "s": "..... ..... .#### #.... .###. ....# ####.",
        "t": ".#... .#... ###.. .#... .#... .#..# ..##.",
        "u": "..... ..... #...# #...# #...# #..## .##.#",
        "v": "..... ..... #...# #...# #...# .#.#. ..#..",
        "w": "..... ..... #...# #...# #.#.# #.#.# .#.#.",
        "x": "..... ..... #...# .#.#. ..#.. .#.#. #...#",
        "y": "..... ..... #...# #...# #...# #...# .#### ....# .###.",
        "z": "..... ..... ##### ...#. ..#.. .#... #####",
        "0": ".###. #...# #..## #.#.# ##..# #...# .###.",
        "1": "..#.. .##.. #.#.. ..#.. ..#.. ..#.. #####",
        "2": ".###. #...# ....# ...#. ..#.. .#... #####",
        "3": "##### ...#. ..#.. ...#. ....# #...# .###.",
        "4": "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
        "5": "##### #.... ####. ....# ....# #...# .###.",
        "6": "..##. .#... #.... ####. #...# #...# .###.",
        "7": "##### ....# ...#. ..#.. .#... .#... .#...",
        "8": ".###. #...# #...# .###. #...# #...# .###.",
        "9": ".###. #...# #...# .#### ....# ...#. .##..",
        "_": "..... ..... ..... ..... ..... ..... ..... #####",
        ":": "..... ..... .##.. .##.. ..... .##.. .##..",
        ".": "..... ..... ..... ..... ..... .##.. .##..",
        ",": "..... ..... ..... ..... ..... .##.. .##.. ..#.. .#...",
        "-": "..... ..... ..... ..... .###.",
        "+": "..... ..... ..#.. ..#.. ##### ..#.. ..#..",
        "=": "..... ..... ..... ##### ..... ##### .....",
        "*": "..... ..#.. #.#.# .###. #.#.# ..#..",
        "/": "....# ....# ...#. ..#.. .#... #.... #....",
        "(": "...#. ..#.. .#... .#... .#... ..#.. ...#.",
        ")": ".#... ..#.. ...#. ...#. ...#. ..#.. .#...",
        "?": ".###. #...# ....# ...#. ..#.. ..... ..#..",
        " ": ".....",
    ]
}
