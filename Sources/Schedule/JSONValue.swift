/// A parsed JSON value that remembers where it was written and the order of object keys, so a
/// schedule error can point at a line and column and objective terms keep the file's order.
/// (Foundation's JSONSerialization gives neither, and blurs booleans with numbers on Linux.)
struct JSONValue: Sendable {
    indirect enum Kind: Sendable {
        case object([Member])
        case array([JSONValue])
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
    }
    struct Member: Sendable {
        var key: String
        var value: JSONValue
    }
    var kind: Kind
    var line: Int
    var column: Int

    /// How a person would name this kind of value in an error message.
    var typeName: String {
        switch kind {
        case .object: return "an object"
        case .array: return "a list"
        case .string(let s): return "the text \"\(s.count > 60 ? s.prefix(57) + "..." : s)\""
        case .number(let n): return "the number \(JSONValue.format(n))"
        case .bool(let b): return "\(b)"
        case .null: return "null"
        }
    }

    static func format(_ n: Double) -> String {
        if n == n.rounded() && abs(n) < 1e15 { return String(Int(n)) }
        return String(n)
    }
}

struct JSONSyntaxError: Error, Sendable {
    var line: Int
    var column: Int
    var reason: String
}

/// A strict RFC 8259 parser over UTF-8 bytes, tracking line and column (both from 1).
///
/// Linear in the file's size: the column of each value is counted on from the previous value's
/// (a one-line 379 KB schedule took 88 s when every value counted from the line's start), and
/// duplicate keys are found with a set. Lists and objects nest at most `maxDepth` deep, so a
/// hostile file cannot overflow the stack (50,000 nested brackets, 100 KB, crashed it).
struct JSONParser {
    /// A schedule nests 4 deep (top level, segments, a segment, keyframes); 64 leaves room for any
    /// file a person writes while keeping the recursion far from the stack's end.
    static let maxDepth = 64

    private let bytes: [UInt8]
    private var pos = 0
    private var line = 1
    private var lineStart = 0
    private var depth = 0
    /// Column of `countedTo` on the current line: where the last column count stopped.
    private var countedTo = 0
    private var countedColumn = 1

    init(_ text: String) { bytes = Array(text.utf8) }

    static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        var p = JSONParser(text)
        p.skipSpace()
        let v = try p.value()
        p.skipSpace()
        if p.pos < p.bytes.count { throw p.error("unexpected text after the end of the JSON value") }
        return v
    }

    /// The column of `pos`, counted on from the last count on the same line (the parser only moves
    /// forward, so each byte is counted once). Characters, not bytes: UTF-8 continuation bytes are skipped.
    private mutating func column() -> Int {
        if countedTo < lineStart { countedTo = lineStart; countedColumn = 1 }
        countedColumn += Self.characters(bytes, from: countedTo, to: pos)
        countedTo = pos
        return countedColumn
    }

    private static func characters(_ bytes: [UInt8], from start: Int, to end: Int) -> Int {
        var c = 0
        var i = start
        while i < end { if bytes[i] & 0xC0 != 0x80 { c += 1 }; i += 1 }
        return c
    }

    /// Only on the way out, once: counts from the line's start.
    private func error(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(line: line, column: 1 + Self.characters(bytes, from: lineStart, to: pos), reason: reason)
    }

    private var current: String {
        guard pos < bytes.count else { return "the end of the file" }
        let b = bytes[pos]
        if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16))"
    }

    private mutating func skipSpace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0D: pos += 1
            case 0x0A: pos += 1; line += 1; lineStart = pos
            default: return
            }
        }
    }

    private mutating func value() throws(JSONSyntaxError) -> JSONValue {
        guard pos < bytes.count else { throw error("expected a value, found the end of the file") }
        let l = line, c = column()
        let kind: JSONValue.Kind
        switch bytes[pos] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < Self.maxDepth else {
                throw error("lists and objects are nested more than \(Self.maxDepth) deep here; a schedule needs 4 levels")
            }
            depth += 1
            defer { depth -= 1 }
            kind = bytes[pos] == UInt8(ascii: "{") ? try object() : try array()
        case UInt8(ascii: "\""): kind = .string(try string())
        case UInt8(ascii: "t"): try literal("true"); kind = .bool(true)
        case UInt8(ascii: "f"): try literal("false"); kind = .bool(false)
        case UInt8(ascii: "n"): try literal("null"); kind = .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): kind = .number(try number())
        default: throw error("expected a value, found \(current)")
        }
        return JSONValue(kind: kind, line: l, column: c)
    }

    private mutating func literal(_ word: String) throws(JSONSyntaxError) {
        for b in word.utf8 {
            guard pos < bytes.count, bytes[pos] == b else { throw error("expected \(word), found \(current)") }
            pos += 1
        }
    }

    private mutating func object() throws(JSONSyntaxError) -> JSONValue.Kind {
        pos += 1
        var members: [JSONValue.Member] = []
        var seen = Set<String>()
        skipSpace()
        if pos < bytes.count && bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
        while true {
            skipSpace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
                throw error("expected a key in double quotes, found \(current)")
            }
            let keyLine = line, keyColumn = column()
            let key = try string()
            if !seen.insert(key).inserted {
                throw JSONSyntaxError(line: keyLine, column: keyColumn, reason: "key \"\(key)\" appears twice in the same object")
            }
            skipSpace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else {
                throw error("expected ':' after the key \"\(key)\", found \(current)")
            }
            pos += 1
            skipSpace()
            members.append(JSONValue.Member(key: key, value: try value()))
            skipSpace()
            guard pos < bytes.count else { throw error("expected ',' or '}', found the end of the file") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
            throw error("expected ',' or '}' after the value of \"\(key)\", found \(current)")
        }
    }

    private mutating func array() throws(JSONSyntaxError) -> JSONValue.Kind {
        pos += 1
        var items: [JSONValue] = []
        skipSpace()
        if pos < bytes.count && bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value())
            skipSpace()
            guard pos < bytes.count else { throw error("expected ',' or ']', found the end of the file") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
            throw error("expected ',' or ']' in a list, found \(current)")
        }
    }

    private mutating func string() throws(JSONSyntaxError) -> String {
        pos += 1
        var out: [UInt8] = []
        while true {
            guard pos < bytes.count else { throw error("unterminated string") }
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") { pos += 1; break }
            if b < 0x20 { throw error("control character inside a string (write \\n for a newline)") }
            if b != UInt8(ascii: "\\") { out.append(b); pos += 1; continue }
            pos += 1
            guard pos < bytes.count else { throw error("unterminated string") }
            let e = bytes[pos]; pos += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if code >= 0xD800 && code < 0xDC00 {
                    // A surrogate pair spells one scalar outside the basic plane.
                    guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                        throw error("lone UTF-16 surrogate in \\u escape")
                    }
                    pos += 2
                    let low = try hex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw error("invalid UTF-16 surrogate pair") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                pos -= 1
                throw error("unknown escape \\\(Character(Unicode.Scalar(e)))")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8") }
        return s
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard pos < bytes.count, let d = hexDigit(bytes[pos]) else { throw error("expected 4 hex digits after \\u") }
            v = v * 16 + d; pos += 1
        }
        return v
    }

    private func hexDigit(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private mutating func number() throws(JSONSyntaxError) -> Double {
        let start = pos
        func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") }
        if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        guard isDigit(pos) else { throw error("expected a digit, found \(current)") }
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if isDigit(pos) { throw error("numbers may not start with 0") }
        } else {
            while isDigit(pos) { pos += 1 }
        }
        if pos < bytes.count && bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            guard isDigit(pos) else { throw error("expected a digit after the decimal point, found \(current)") }
            while isDigit(pos) { pos += 1 }
        }
        if pos < bytes.count && (bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E")) {
            pos += 1
            if pos < bytes.count && (bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-")) { pos += 1 }
            guard isDigit(pos) else { throw error("expected a digit in the exponent, found \(current)") }
            while isDigit(pos) { pos += 1 }
        }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        guard let v = Double(text), v.isFinite else { throw error("number \(text) is out of range") }
        return v
    }
}
