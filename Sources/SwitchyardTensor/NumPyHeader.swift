/// The header of a NumPy `.npy` file: element type descriptor, memory order and shape, stored as
/// a Python dict literal such as `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
struct NumPyHeader: Equatable {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    /// The dict literal NumPy writes (without padding).
    var literal: String {
        let dims = shape.map(String.init).joined(separator: ", ")
        let tuple = shape.count == 1 ? "(\(dims),)" : "(\(dims))"
        return "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(tuple), }"
    }

    /// Parses the dict literal. Only the forms NumPy writes are accepted: string keys, and
    /// a string, a bool or a tuple of non-negative integers as values.
    init(parsing text: String) throws(NumPyError) {
        var parser = LiteralParser(text: Array(text.unicodeScalars))
        var descr: String?
        var fortranOrder: Bool?
        var shape: [Int]?
        try parser.expect("{")
        while true {
            parser.skipSpaces()
            if parser.consume("}") { break }
            let key = try parser.string()
            try parser.expect(":")
            switch key {
            case "descr":
                parser.skipSpaces()
                if parser.peek == "[" {
                    throw .unsupported("structured (record) dtypes are not supported; save a plain numeric array")
                }
                descr = try parser.string()
            case "fortran_order": fortranOrder = try parser.bool()
            case "shape": shape = try parser.intTuple()
            default: throw .invalid("unexpected header key '\(key)'")
            }
            parser.skipSpaces()
            if parser.consume("}") { break }
            try parser.expect(",")
        }
        guard let descr, let fortranOrder, let shape else {
            throw .invalid("header '\(text)' lacks one of 'descr', 'fortran_order' and 'shape'")
        }
        self.descr = descr
        self.fortranOrder = fortranOrder
        self.shape = shape
    }

    init(descr: String, fortranOrder: Bool = false, shape: [Int]) {
        self.descr = descr
        self.fortranOrder = fortranOrder
        self.shape = shape
    }
}

/// A cursor over a Python literal.
private struct LiteralParser {
    let text: [Unicode.Scalar]
    var position = 0

    var peek: Unicode.Scalar? { position < text.count ? text[position] : nil }

    mutating func skipSpaces() {
        while let scalar = peek, scalar == " " || scalar == "\t" || scalar == "\n" { position += 1 }
    }

    mutating func consume(_ scalar: Unicode.Scalar) -> Bool {
        skipSpaces()
        guard peek == scalar else { return false }
        position += 1
        return true
    }

    mutating func expect(_ scalar: Unicode.Scalar) throws(NumPyError) {
        guard consume(scalar) else {
            throw .invalid("header: expected '\(scalar)' at character \(position) of '\(String(String.UnicodeScalarView(text)))'")
        }
    }

    mutating func string() throws(NumPyError) -> String {
        skipSpaces()
        guard let quote = peek, quote == "'" || quote == "\"" else {
            throw .invalid("header: expected a quoted string at character \(position)")
        }
        position += 1
        var value = String.UnicodeScalarView()
        while let scalar = peek, scalar != quote {
            value.append(scalar)
            position += 1
        }
        try expect(quote)
        return String(value)
    }

    mutating func bool() throws(NumPyError) -> Bool {
        skipSpaces()
        for (word, value) in [("True", true), ("False", false)] {
            let scalars = Array(word.unicodeScalars)
            if position + scalars.count <= text.count && Array(text[position..<position + scalars.count]) == scalars {
                position += scalars.count
                return value
            }
        }
        throw .invalid("header: expected True or False at character \(position)")
    }

    mutating func intTuple() throws(NumPyError) -> [Int] {
        try expect("(")
        var values: [Int] = []
        while !consume(")") {
            skipSpaces()
            var digits = ""
            while let scalar = peek, ("0"..."9").contains(scalar) {
                digits.unicodeScalars.append(scalar)
                position += 1
            }
            // Python 2 NumPy wrote long integers as `3L`.
            _ = consume("L")
            guard let value = Int(digits) else { throw .invalid("header: expected a dimension at character \(position)") }
            values.append(value)
            if consume(")") { break }
            try expect(",")
        }
        return values
    }
}
