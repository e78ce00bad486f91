import Foundation
import SwitchyardTensor

/// Cast (target type from the `to` attribute) and CastLike (target type from a second input).
/// Numeric conversions follow `Tensor.converted(to:)`; conversions to and from strings format
/// and parse as ONNX's NumPy reference does (`astype(str)`). Float8/4 and sub-byte integer
/// targets are not held by our tensors and are reported as unsupported; `saturate` only
/// affects float8 targets, so it has nothing to do here.
enum Cast {
    static var kernels: [String: ReferenceKernel] {
        [
            "Cast": { context in
                [try convert(context.input(0), to: targetType(context))]
            },
            "CastLike": { context in
                [try convert(context.input(0), to: context.input(1).dataType)]
            },
        ]
    }

    /// The `to` attribute: a `TensorProto.DataType` code, or (opset 1) its name, e.g. "FLOAT".
    private static func targetType(_ context: OpContext) throws(KernelError) -> DataType {
        if case .string(let name)? = context.node.attributes["to"] {
            guard let target = DataType.allCases.first(where: { typeName($0) == name.uppercased() }) else {
                throw .unsupported("Cast: target type \"\(name)\" is not supported")
            }
            return target
        }
        guard let code = try context.int("to") else {
            throw .invalidArgument("Cast: attribute 'to' is required")
        }
        guard let target = DataType(rawValue: Int32(truncatingIfNeeded: code)) else {
            throw .unsupported("Cast: target type code \(code) (a float8/float4/int4/complex type) is not supported")
        }
        return target
    }

    /// The `TensorProto.DataType` enum name of `type`, as opset 1 spells `to`.
    private static func typeName(_ type: DataType) -> String {
        switch type {
        case .float32: "FLOAT"
        case .float64: "DOUBLE"
        default: type.onnxName.uppercased()
        }
    }

    static func convert(_ x: Tensor, to target: DataType) throws(KernelError) -> Tensor {
        if x.dataType == target { return x }
        if target == .string { return Tensor(shape: x.shape, strings: CastStrings.format(x)) }
        if x.dataType == .string { return try CastStrings.parse(x.strings, shape: x.shape, to: target) }
        if x.dataType == .float64 && target == .float16 {
            // Directly, not through float32, so the value is rounded once.
            return ElementwiseLoops.map(x, Double.self, to: Float16.self) { Float16($0) }
        }
        return x.converted(to: target)
    }
}

/// String conversions for Cast, in NumPy's formats.
enum CastStrings {
    /// The elements of a non-string tensor as NumPy's `astype(str)` writes them.
    static func format(_ x: Tensor) -> [String] {
        switch x.dataType {
        case .float32: x.scalars(as: Float.self).map { formatFloat($0, positionalBelow: 1e6) }
        case .float64: x.scalars(as: Double.self).map { formatFloat($0, positionalBelow: 1e16) }
        case .float16: x.scalars(as: Float16.self).map { formatFloat($0, positionalBelow: 1e3) }
        case .bfloat16: x.scalars(as: BFloat16.self).map { formatFloat($0.floatValue, positionalBelow: 1e3) }
        case .bool: x.scalars(as: Bool.self).map { $0 ? "True" : "False" }
        case .uint64: x.scalars(as: UInt64.self).map { String($0) }
        case .string: x.strings
        default: x.int64s().map { String($0) }
        }
    }

    /// NumPy's `str` of a float: the shortest digits that round-trip, positional for
    /// `1e-4 <= |x| < positionalBelow` (always with a fractional part), scientific otherwise
    /// (`1e+16`, `1.5e-05`). NumPy's bound depends on the type: 1e3 for float16, 1e6 for
    /// float32, 1e16 for float64.
    static func formatFloat<F: BinaryFloatingPoint & CustomStringConvertible>(
        _ value: F, positionalBelow: Double
    ) -> String {
        // Swift's description of Float and Double prints the shortest round-trip digits too;
        // only the layout differs.
        layout(Double(value), shortest: value.magnitude.description, positionalBelow: positionalBelow)
    }

    /// Float16's description is not the shortest round-trip form (65504 prints as "65504.0",
    /// NumPy says "6.55e+04"), so search for the fewest significant digits that round-trip.
    static func formatFloat(_ value: Float16, positionalBelow: Double) -> String {
        var shortest = value.magnitude.description
        if value.isFinite {
            for precision in 1...5 {
                let text = String(format: "%.\(precision - 1)e", Double(value.magnitude))
                if let parsed = Double(text), Float16(parsed) == value.magnitude {
                    shortest = text
                    break
                }
            }
        }
        return layout(Double(value), shortest: shortest, positionalBelow: positionalBelow)
    }

    /// Lays out `shortest` (the digits of `|value|`, positional or with an exponent) NumPy's way.
    private static func layout(_ value: Double, shortest: String, positionalBelow: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let sign = value.sign == .minus ? "-" : ""
        if value == 0 { return sign + "0.0" }
        var text = shortest
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = String(parts[0]), fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = integerPart + fraction
        exponent += integerPart.count - 1
        while digits.first == "0" && digits.count > 1 {
            digits.removeFirst()
            exponent -= 1
        }
        while digits.last == "0" && digits.count > 1 { digits.removeLast() }
        let magnitude = Double(value.magnitude)
        if magnitude >= 1e-4 && magnitude < positionalBelow {
            if exponent < 0 { return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits }
            let integerDigits = exponent + 1
            if digits.count <= integerDigits {
                return sign + digits + String(repeating: "0", count: integerDigits - digits.count) + ".0"
            }
            let split = digits.index(digits.startIndex, offsetBy: integerDigits)
            return sign + digits[..<split] + "." + digits[split...]
        }
        let mantissa = digits.count == 1 ? digits : "\(digits.first!)." + digits.dropFirst()
        let exponentText = String(abs(exponent))
        return sign + mantissa + (exponent < 0 ? "e-" : "e+")
            + (exponentText.count < 2 ? "0" : "") + exponentText
    }

    /// A tensor of `target` from strings: numbers as C's `strtod` reads them (`inf`, `nan`,
    /// `1e5`), integers in decimal, bools true for every non-empty string (as NumPy does).
    static func parse(_ strings: [String], shape: [Int], to target: DataType) throws(KernelError) -> Tensor {
        func fail(_ text: String) -> KernelError {
            .invalidArgument("Cast: string \"\(text)\" cannot be converted to \(target)")
        }
        if target.isInteger {
            var values: [Int64] = []
            values.reserveCapacity(strings.count)
            for text in strings {
                let trimmed = text.trimmingWhitespace()
                if let value = Int64(trimmed) {
                    values.append(value)
                } else if target == .uint64, let value = UInt64(trimmed) {
                    values.append(Int64(bitPattern: value))
                } else {
                    throw fail(text)
                }
            }
            return Tensor(dataType: target, shape: shape, int64s: values)
        }
        if target == .bool {
            // NumPy's `astype(bool)` on strings: any non-empty string is true, even "False".
            return Tensor(shape: shape, scalars: strings.map { !$0.isEmpty })
        }
        var values: [Double] = []
        values.reserveCapacity(strings.count)
        for text in strings {
            let trimmed = text.trimmingWhitespace()
            guard let value = Double(trimmed) else { throw fail(text) }
            values.append(value)
        }
        if target == .float16 {
            return Tensor(shape: shape, scalars: values.map { Float16($0) })
        }
        return Tensor(dataType: target, shape: shape, doubles: values)
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
