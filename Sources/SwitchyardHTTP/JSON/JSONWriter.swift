import NIOCore

/// Appends JSON text to a `ByteBuffer`. The caller writes the punctuation of containers; the
/// writer escapes strings and formats numbers (shortest round-trip form).
///
/// Non-finite floats have no JSON form; they are written as the bare tokens `NaN`, `Infinity` and
/// `-Infinity`, which Python's `json` (tritonclient) reads back, rather than failing a response
/// whose model legitimately produced them.
struct JSONWriter {
    var buffer: ByteBuffer

    init(buffer: ByteBuffer) {
        self.buffer = buffer
    }

    init(capacity: Int = 256) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// `[e0,e1,…]`: the brackets and commas, each element written by `element`.
    mutating func array<Elements: Sequence>(_ elements: Elements, _ element: (inout JSONWriter, Elements.Element) -> Void) {
        raw("[")
        for (index, value) in elements.enumerated() {
            if index > 0 { raw(",") }
            element(&self, value)
        }
        raw("]")
    }

    mutating func raw(_ text: StaticString) {
        buffer.writeStaticString(text)
    }

    mutating func raw(_ text: String) {
        buffer.writeString(text)
    }

    /// `"key":`
    mutating func key(_ name: String) {
        string(name)
        buffer.writeInteger(UInt8(ascii: ":"))
    }

    mutating func string(_ value: String) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var plain = true
        for unit in value.utf8 where unit < 0x20 || unit == 0x22 || unit == 0x5C {
            plain = false
            break
        }
        if plain {
            buffer.writeString(value)
        } else {
            for unit in value.utf8 {
                switch unit {
                case 0x22: buffer.writeStaticString("\\\"")
                case 0x5C: buffer.writeStaticString("\\\\")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                case 0x09: buffer.writeStaticString("\\t")
                case 0..<0x20:
                    let hex = String(unit, radix: 16)
                    buffer.writeString("\\u00" + (hex.count == 1 ? "0" + hex : hex))
                default: buffer.writeInteger(unit)
                }
            }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    mutating func bool(_ value: Bool) {
        if value { buffer.writeStaticString("true") } else { buffer.writeStaticString("false") }
    }

    mutating func integer(_ value: some BinaryInteger) {
        buffer.writeString(String(value))
    }

    mutating func number(_ value: Double) {
        if value.isFinite {
            // Integral values print without ".0" so they read back as integers too.
            if value == value.rounded(), abs(value) < 1e15 {
                buffer.writeString(String(Int64(value)))
            } else {
                buffer.writeString(value.description)
            }
        } else {
            writeNonFinite(value.isNaN, negative: value < 0)
        }
    }

    mutating func number(_ value: Float) {
        if value.isFinite {
            if value == value.rounded(), abs(value) < 1e7 {
                buffer.writeString(String(Int32(value)))
            } else {
                buffer.writeString(value.description)
            }
        } else {
            writeNonFinite(value.isNaN, negative: value < 0)
        }
    }

    private mutating func writeNonFinite(_ isNaN: Bool, negative: Bool) {
        if isNaN { buffer.writeStaticString("NaN") }
        else if negative { buffer.writeStaticString("-Infinity") }
        else { buffer.writeStaticString("Infinity") }
    }

    /// Writes a parsed value back out (used to reshape swift-protobuf's JSON).
    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: raw("null")
        case .bool(let v): bool(v)
        case .int(let v): integer(v)
        case .uint(let v): integer(v)
        case .double(let v): number(v)
        case .string(let v): string(v)
        case .array(let elements):
            raw("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { raw(",") }
                self.value(element)
            }
            raw("]")
        case .object(let members):
            raw("{")
            for (index, member) in members.enumerated() {
                if index > 0 { raw(",") }
                key(member.key)
                self.value(member.value)
            }
            raw("}")
        }
    }
}
