import SwitchyardTensor

/// StringSplit (opset 20): splits every string of `X` with Python's `str.split` semantics.
/// With a `delimiter`, every occurrence separates (empty pieces kept); without one (or with an
/// empty one), runs of whitespace separate and leading/trailing whitespace is dropped.
/// `maxsplit` limits the number of splits. Outputs `Y` `[X.shape…, longest]` padded with empty
/// strings and `Z` (int64, `X.shape`) with each string's piece count.
enum StringSplitKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let x = try context.input(0)
        guard x.dataType == .string else {
            throw KernelError.invalidArgument("\(op): X must be a string tensor, got \(x.dataType)")
        }
        let delimiter = try context.string("delimiter", default: "")
        let maxSplit = try context.int("maxsplit")
        if let maxSplit, maxSplit < 0 {
            throw KernelError.invalidArgument("\(op): maxsplit \(maxSplit) must not be negative")
        }
        let pieces = x.strings.map { text in
            delimiter.isEmpty ? PythonSplit.onWhitespace(text, maxSplit: maxSplit)
                : PythonSplit.on(text, delimiter: delimiter, maxSplit: maxSplit)
        }
        let longest = pieces.map(\.count).max() ?? 0
        let padded = pieces.flatMap { $0 + Array(repeating: "", count: longest - $0.count) }
        return [Tensor(shape: x.shape + [longest], strings: padded),
                Tensor(shape: x.shape, scalars: pieces.map { Int64($0.count) })]
    }
}

/// Python's `str.split`, over Unicode scalars (Python's code points) rather than Swift's
/// grapheme clusters.
enum PythonSplit {
    static func on(_ text: String, delimiter: String, maxSplit: Int?) -> [String] {
        let scalars = Array(text.unicodeScalars), separator = Array(delimiter.unicodeScalars)
        var pieces: [String] = [], start = 0, index = 0
        while index + separator.count <= scalars.count, maxSplit.map({ pieces.count < $0 }) ?? true {
            if scalars[index..<(index + separator.count)].elementsEqual(separator) {
                pieces.append(string(scalars[start..<index]))
                index += separator.count
                start = index
            } else {
                index += 1
            }
        }
        pieces.append(string(scalars[start...]))
        return pieces
    }

    static func onWhitespace(_ text: String, maxSplit: Int?) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [String] = [], index = 0
        while true {
            while index < scalars.count && isSpace(scalars[index]) { index += 1 }
            if index == scalars.count { break }
            if let maxSplit, pieces.count == maxSplit {
                // The remainder keeps its trailing whitespace, as in Python.
                pieces.append(string(scalars[index...]))
                break
            }
            let start = index
            while index < scalars.count && !isSpace(scalars[index]) { index += 1 }
            pieces.append(string(scalars[start..<index]))
        }
        return pieces
    }

    /// Python's `str.isspace` for one code point: Unicode white space plus the ASCII
    /// information separators U+001C–U+001F.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
    }

    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars)
        return String(result)
    }
}
