import Foundation

/// Human-readable numbers for the command's text output.
enum Formatting {
    /// `1234567` → `1.23 M`; plain below 1000.
    static func count(_ value: Int) -> String {
        let units = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
        for (scale, suffix) in units where Double(value) >= scale {
            return String(format: "%.2f", Double(value) / scale) + " " + suffix
        }
        return "\(value)"
    }

    /// Bytes in binary units: `1536` → `1.50 KiB`.
    static func bytes(_ value: Int) -> String {
        let units = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (scale, suffix) in units where value >= scale {
            return String(format: "%.2f", Double(value) / Double(scale)) + " " + suffix
        }
        return "\(value) B"
    }

    /// Seconds as milliseconds with three significant decimals: `0.01234` → `12.340 ms`.
    static func milliseconds(_ seconds: Double) -> String {
        String(format: "%.3f ms", seconds * 1000)
    }

    /// A shape as `1x3x640x640` (`scalar` for rank 0).
    static func shape(_ dims: [Int]) -> String {
        dims.isEmpty ? "scalar" : dims.map(String.init).joined(separator: "x")
    }

    /// Pretty-printed JSON with sorted keys.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Pads `text` on the right to `width` characters.
    static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
