/// The structure of a protobuf text-format document — field names, nesting and where each field
/// sits in the source — read without knowing the schema.
///
/// swift-protobuf's decoder says *what* went wrong but not *where*, and with
/// `ignoreUnknownFields` it drops unknown fields silently. The outline lets the config parser
/// find the line of a syntax error itself, and re-decode single fields to name the unknown ones
/// and the one holding a bad value. Its grammar follows swift-protobuf's `TextFormatScanner`
/// (modelled on protobuf C++'s `text_format.cc`): `name: scalar`, `name [: ] { … }` or `< … >`,
/// `name: [ … ]` lists of scalars or messages, optional `,`/`;` separators, `#` comments.
struct TextFormatOutline {
    /// One `name …` field of the document, with its value.
    struct Entry {
        enum Value {
            /// A scalar or a list (of scalars or mixed): decoded as a whole.
            case leaf
            /// `name { … }`: the fields inside.
            case message([Entry])
            /// `name [ { … }, { … } ]`: each element's fields.
            case messageList([[Entry]])
        }

        /// The field name as written (`max_batch_size`, `[ext.name]`, or a field number).
        var name: String
        /// Byte offsets of the whole field, from its name to the end of its value.
        var start: Int
        var end: Int
        /// `end` plus the `,` or `;` after the field, if any.
        var endWithSeparator: Int
        var value: Value
    }

    /// Where and why the text is not well-formed text format.
    struct SyntaxError: Error {
        var offset: Int
        var message: String
    }

    let bytes: [UInt8]
    let entries: [Entry]

    init(parsing text: String) throws(SyntaxError) {
        var parser = Parser(bytes: Array(text.utf8))
        entries = try parser.parseFields(closing: nil, depth: 0)
        bytes = parser.bytes
    }

    /// 1-based line number of a byte offset.
    func line(at offset: Int) -> Int { Self.line(at: offset, in: bytes) }

    /// 1-based line number of a byte offset into UTF-8 text.
    static func line(at offset: Int, in bytes: some Collection<UInt8>) -> Int {
        1 + bytes.prefix(max(0, offset)).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    /// The text with these fields (and their separators) blanked out; newlines stay, so lines
    /// keep their numbers.
    func text(removing removed: [Entry]) -> String {
        var result = bytes
        for entry in removed {
            for index in entry.start..<entry.endWithSeparator where result[index] != 0x0A { result[index] = 0x20 }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// The source text of an entry.
    func source(of entry: Entry) -> String {
        String(decoding: bytes[entry.start..<entry.end], as: UTF8.self)
    }
}

private struct Parser {
    let bytes: [UInt8]
    var p = 0
    /// Nesting limit, as swift-protobuf's default `messageDepthLimit`.
    static let depthLimit = 100

    init(bytes: [UInt8]) { self.bytes = bytes }

    typealias Entry = TextFormatOutline.Entry
    typealias SyntaxError = TextFormatOutline.SyntaxError

    private var current: UInt8? { p < bytes.count ? bytes[p] : nil }

    private func error(_ message: String, at offset: Int? = nil) -> SyntaxError {
        SyntaxError(offset: offset ?? p, message: message)
    }

    private func describeCurrent() -> String {
        guard let c = current else { return "the end of the file" }
        return "'\(String(decoding: [c], as: UTF8.self))'"
    }

    mutating func skipWhitespace() {
        while let c = current {
            switch c {
            case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D: p += 1
            case UInt8(ascii: "#"):
                while let c = current, c != 0x0A, c != 0x0D { p += 1 }
            default: return
            }
        }
    }

    /// Fields up to `closing` (or the end of the text when nil), consuming the closing byte.
    mutating func parseFields(closing: UInt8?, depth: Int) throws(SyntaxError) -> [Entry] {
        guard depth <= Self.depthLimit else { throw error("messages nested more than \(Self.depthLimit) deep") }
        let open = p - 1
        var entries: [Entry] = []
        while true {
            skipWhitespace()
            guard let c = current else {
                if let closing {
                    throw error("missing '\(String(decoding: [closing], as: UTF8.self))' to close the message opened on this line", at: open)
                }
                return entries
            }
            if let closing, c == closing {
                p += 1
                return entries
            }
            var entry = try parseField(depth: depth)
            skipWhitespace()
            if current == UInt8(ascii: ",") || current == UInt8(ascii: ";") { p += 1 }
            entry.endWithSeparator = p
            entries.append(entry)
        }
    }

    private func lineOf(_ offset: Int) -> Int { TextFormatOutline.line(at: offset, in: bytes) }

    private mutating func parseField(depth: Int) throws(SyntaxError) -> Entry {
        let start = p
        let name = try parseName()
        skipWhitespace()
        let hasColon = current == UInt8(ascii: ":")
        if hasColon { p += 1; skipWhitespace() }
        let value: Entry.Value
        switch current {
        case UInt8(ascii: "{"), UInt8(ascii: "<"):
            value = .message(try parseMessageBody(depth: depth))
        case UInt8(ascii: "["):
            value = try parseList(depth: depth)
        case nil:
            throw error("field '\(name)' has no value")
        default:
            guard hasColon else { throw error("expected ':' or '{' after field name '\(name)', found \(describeCurrent())") }
            try parseScalar(field: name)
            value = .leaf
        }
        return Entry(name: name, start: start, end: p, endWithSeparator: p, value: value)
    }

    private mutating func parseName() throws(SyntaxError) -> String {
        let start = p
        switch current {
        case UInt8(ascii: "["):
            while let c = current, c != UInt8(ascii: "]") {
                guard c != 0x0A else { throw error("unterminated '[' in a field name", at: start) }
                p += 1
            }
            guard current != nil else { throw error("unterminated '[' in a field name", at: start) }
            p += 1
        case let c? where isLetter(c) || c == UInt8(ascii: "_") || isDigit(c):
            while let c = current, isLetter(c) || isDigit(c) || c == UInt8(ascii: "_") { p += 1 }
        default:
            throw error("expected a field name, found \(describeCurrent())")
        }
        return String(decoding: bytes[start..<p], as: UTF8.self)
    }

    private mutating func parseMessageBody(depth: Int) throws(SyntaxError) -> [Entry] {
        let closing: UInt8 = current == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ">")
        p += 1
        return try parseFields(closing: closing, depth: depth + 1)
    }

    /// `[ … ]`: all-message lists keep their elements' fields, anything else is a leaf.
    private mutating func parseList(depth: Int) throws(SyntaxError) -> Entry.Value {
        let open = p
        p += 1
        var messages: [[Entry]] = []
        var sawScalar = false
        skipWhitespace()
        if current == UInt8(ascii: "]") { p += 1; return .leaf }
        while true {
            skipWhitespace()
            switch current {
            case UInt8(ascii: "{"), UInt8(ascii: "<"): messages.append(try parseMessageBody(depth: depth))
            case nil: throw error("missing ']' to close the list opened on this line", at: open)
            default: try parseScalar(field: "list element"); sawScalar = true
            }
            skipWhitespace()
            if current == UInt8(ascii: "]") { p += 1; break }
            guard current == UInt8(ascii: ",") else {
                throw error("expected ',' or ']' in the list opened at line \(lineOf(open)), found \(describeCurrent())")
            }
            p += 1
        }
        return sawScalar ? .leaf : .messageList(messages)
    }

    /// One scalar: adjacent quoted strings, or an optionally negated identifier or number.
    private mutating func parseScalar(field: String) throws(SyntaxError) {
        guard let c = current else { throw error("field '\(field)' has no value") }
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
            while let quote = current, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                try parseString()
                skipWhitespace()
            }
            return
        }
        if c == UInt8(ascii: "-") { p += 1 }
        guard let first = current else { throw error("expected a value for '\(field)', found the end of the file") }
        if isLetter(first) || first == UInt8(ascii: "_") {
            while let c = current, isLetter(c) || isDigit(c) || c == UInt8(ascii: "_") { p += 1 }
        } else if isDigit(first) || first == UInt8(ascii: ".") {
            parseNumber()
        } else {
            throw error("expected a value for '\(field)', found \(describeCurrent())")
        }
    }

    /// `0x1F`, `12`, `1.5e-3f`: where swift-protobuf's number scanners stop, so the next field
    /// starts where its decoder sees it (`4max_batch_size: 2` is two fields to it).
    private mutating func parseNumber() {
        if bytes[p] == UInt8(ascii: "0"), p + 1 < bytes.count, (bytes[p + 1] | 0x20) == UInt8(ascii: "x") {
            p += 2
            while let c = current, isDigit(c) || ((c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "f")) { p += 1 }
            return
        }
        skipDigits()
        if current == UInt8(ascii: ".") {
            p += 1
            skipDigits()
        }
        if let e = current, (e | 0x20) == UInt8(ascii: "e") {
            var q = p + 1
            if q < bytes.count, bytes[q] == UInt8(ascii: "+") || bytes[q] == UInt8(ascii: "-") { q += 1 }
            if q < bytes.count, isDigit(bytes[q]) {
                p = q
                skipDigits()
            }
        }
        if let f = current, (f | 0x20) == UInt8(ascii: "f"), !(p + 1 < bytes.count && (isLetter(bytes[p + 1]) || isDigit(bytes[p + 1]) || bytes[p + 1] == UInt8(ascii: "_"))) {
            p += 1
        }
    }

    private mutating func skipDigits() {
        while let c = current, isDigit(c) { p += 1 }
    }

    private mutating func parseString() throws(SyntaxError) {
        let start = p
        let quote = bytes[p]
        p += 1
        while let c = current {
            if c == quote { p += 1; return }
            if c == 0x0A || c == 0x0D { break }
            p += c == UInt8(ascii: "\\") ? 2 : 1
        }
        throw error("unterminated string", at: start)
    }

    private func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z") }
    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
}
