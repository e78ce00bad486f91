import SwitchyardTensor

/// The unary math operators: transcendental and rounding functions, sign manipulation,
/// classification (IsNaN, IsInf) and the bitwise/logical complements.
enum UnaryMath {
    /// The floating-point functions, one per ONNX operator.
    enum RealMath: String, RealFunction, CaseIterable {
        case Acos, Acosh, Asin, Asinh, Atan, Atanh, Ceil, Cos, Cosh, Erf, Exp, Floor, Log, Reciprocal,
             Round, Sin, Sinh, Sqrt, Tan, Tanh

        @inline(__always)
        func callAsFunction<F: FloatElement>(_ x: F) -> F {
            switch self {
            case .Acos: F.acos(x)
            case .Acosh: F.acosh(x)
            case .Asin: F.asin(x)
            case .Asinh: F.asinh(x)
            case .Atan: F.atan(x)
            case .Atanh: F.atanh(x)
            case .Ceil: x.rounded(.up)
            case .Cos: F.cos(x)
            case .Cosh: F.cosh(x)
            case .Erf: F.erf(x)
            case .Exp: F.exp(x)
            case .Floor: x.rounded(.down)
            case .Log: F.log(x)
            case .Reciprocal: 1 / x
            // ONNX rounds halves to even, like NumPy.
            case .Round: x.rounded(.toNearestOrEven)
            case .Sin: F.sin(x)
            case .Sinh: F.sinh(x)
            case .Sqrt: x.squareRoot()
            case .Tan: F.tan(x)
            case .Tanh: F.tanh(x)
            }
        }
    }

    /// The functions defined for every numeric type.
    enum NumericMath: String, NumericFunction {
        case Abs, Neg, Sign

        @inline(__always)
        func callAsFunction<T: NumericElement>(_ x: T) -> T {
            switch self {
            case .Abs: x < .zero ? T.negate(x) : x
            case .Neg: T.negate(x)
            case .Sign: x > .zero ? 1 : (x < .zero ? T.negate(1) : x)
            }
        }
    }

    static var kernels: [String: ReferenceKernel] {
        var table: [String: ReferenceKernel] = [:]
        for function in RealMath.allCases where function != .Erf {
            table[function.rawValue] = { context in
                [try ElementwiseDispatch.real(context.input(0), op: function.rawValue, function)]
            }
        }
        // Erf accepts integers too; they are computed in double precision and truncated back.
        table["Erf"] = { context in
            let x = try context.input(0)
            if x.dataType.isInteger {
                return [try ElementwiseDispatch.real(x.converted(to: .float64), op: "Erf", RealMath.Erf)
                    .converted(to: x.dataType)]
            }
            return [try ElementwiseDispatch.real(x, op: "Erf", RealMath.Erf)]
        }
        table["Abs"] = { context in
            [try ElementwiseDispatch.numeric(context.input(0), op: "Abs", NumericMath.Abs)]
        }
        table["Neg"] = { context in
            [try ElementwiseDispatch.numeric(context.input(0), op: "Neg", signedOnly: true, NumericMath.Neg)]
        }
        table["Sign"] = { context in
            [try ElementwiseDispatch.numeric(context.input(0), op: "Sign", NumericMath.Sign)]
        }
        table["IsNaN"] = { context in
            [try classify(context.input(0), op: "IsNaN") { $0.isNaN }]
        }
        table["IsInf"] = { context in
            let negative = try context.int("detect_negative", default: 1) != 0
            let positive = try context.int("detect_positive", default: 1) != 0
            return [try classify(context.input(0), op: "IsInf") {
                $0.isInfinite && ($0 < 0 ? negative : positive)
            }]
        }
        table["Not"] = { context in
            let x = try context.input(0)
            guard x.dataType == .bool else {
                throw ElementwiseDispatch.unsupported("Not", x.dataType, expected: "bool")
            }
            return [ElementwiseLoops.map(x, Bool.self, to: Bool.self) { !$0 }]
        }
        table["BitwiseNot"] = { context in
            let x = try context.input(0)
            switch x.dataType {
            case .int8: return [ElementwiseLoops.map(x, Int8.self, to: Int8.self) { ~$0 }]
            case .int16: return [ElementwiseLoops.map(x, Int16.self, to: Int16.self) { ~$0 }]
            case .int32: return [ElementwiseLoops.map(x, Int32.self, to: Int32.self) { ~$0 }]
            case .int64: return [ElementwiseLoops.map(x, Int64.self, to: Int64.self) { ~$0 }]
            case .uint8: return [ElementwiseLoops.map(x, UInt8.self, to: UInt8.self) { ~$0 }]
            case .uint16: return [ElementwiseLoops.map(x, UInt16.self, to: UInt16.self) { ~$0 }]
            case .uint32: return [ElementwiseLoops.map(x, UInt32.self, to: UInt32.self) { ~$0 }]
            case .uint64: return [ElementwiseLoops.map(x, UInt64.self, to: UInt64.self) { ~$0 }]
            default: throw ElementwiseDispatch.unsupported("BitwiseNot", x.dataType, expected: "an integer type")
            }
        }
        return table
    }

    /// A bool tensor from a predicate on each element of a floating-point tensor.
    private static func classify(
        _ x: Tensor, op: String, _ predicate: (Double) -> Bool
    ) throws(KernelError) -> Tensor {
        switch x.dataType {
        case .float32: return ElementwiseLoops.map(x, Float.self, to: Bool.self) { predicate(Double($0)) }
        case .float64: return ElementwiseLoops.map(x, Double.self, to: Bool.self) { predicate($0) }
        case .float16, .bfloat16: return try classify(x.converted(to: .float32), op: op, predicate)
        default: throw ElementwiseDispatch.unsupported(op, x.dataType, expected: "a floating-point type")
        }
    }
}
