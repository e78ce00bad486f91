import SwitchyardTensor

/// Add, Sub, Mul, Div, Mod and Pow with NumPy broadcasting. Integer arithmetic wraps; integer
/// division truncates toward zero as in C; dividing an integer by zero is an error.
enum BinaryArithmetic {
    struct Add: BinaryNumericFunction {
        @inline(__always) func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T { T.add(a, b) }
    }

    struct Subtract: BinaryNumericFunction {
        @inline(__always) func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T { T.subtract(a, b) }
    }

    struct Multiply: BinaryNumericFunction {
        @inline(__always) func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T { T.multiply(a, b) }
    }

    struct Divide: BinaryNumericFunction {
        @inline(__always) func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T { T.divide(a, b) }
    }

    /// `fmod` (sign of the dividend) when `truncated`, else NumPy's `mod` (sign of the divisor).
    struct Modulo: BinaryNumericFunction {
        let truncated: Bool
        @inline(__always) func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T {
            T.remainder(a, b, truncated: truncated)
        }
    }

    static var kernels: [String: ReferenceKernel] {
        [
            "Add": { context in
                let (a, b) = try ElementwiseDispatch.binaryInputs(context)
                return [try ElementwiseDispatch.binaryNumeric(a, b, op: "Add", Add())]
            },
            "Sub": { context in
                let (a, b) = try ElementwiseDispatch.binaryInputs(context)
                return [try ElementwiseDispatch.binaryNumeric(a, b, op: "Sub", Subtract())]
            },
            "Mul": { context in
                let (a, b) = try ElementwiseDispatch.binaryInputs(context)
                return [try ElementwiseDispatch.binaryNumeric(a, b, op: "Mul", Multiply())]
            },
            "Div": { context in
                let (a, b) = try ElementwiseDispatch.binaryInputs(context)
                try rejectIntegerZero(b, op: "Div")
                return [try ElementwiseDispatch.binaryNumeric(a, b, op: "Div", Divide())]
            },
            "Mod": { context in
                let a = try context.input(0), b = try context.input(1)
                try rejectIntegerZero(b, op: "Mod")
                let truncated = try context.int("fmod", default: 0) != 0
                return [try ElementwiseDispatch.binaryNumeric(a, b, op: "Mod", Modulo(truncated: truncated))]
            },
            "Pow": { context in
                let (base, exponent) = try ElementwiseDispatch.binaryInputs(context)
                return [try power(base, exponent)]
            },
        ]
    }

    /// Integer division by zero has no defined result; report it instead of trapping.
    private static func rejectIntegerZero(_ divisor: Tensor, op: String) throws(KernelError) {
        guard divisor.dataType.isInteger, divisor.int64s().contains(0) else { return }
        throw .invalidArgument("\(op): integer division by zero (the divisor tensor of shape \(divisor.shape) contains 0)")
    }

    /// `base ** exponent` in the base's type. The exponent may have another numeric type (opset
    /// 12+). Integer powers of integers are exact (wrapping); every other mix is computed in
    /// double precision, except float32 ** float32, which stays in float32.
    static func power(_ base: Tensor, _ exponent: Tensor) throws(KernelError) -> Tensor {
        guard exponent.dataType.isFloatingPoint || exponent.dataType.isInteger else {
            throw ElementwiseDispatch.unsupported("Pow", exponent.dataType, expected: "a numeric exponent")
        }
        switch base.dataType {
        case .float32 where exponent.dataType == .float32:
            return try ElementwiseLoops.combine(base, exponent, Float.self, Float.self, to: Float.self, op: "Pow") {
                Float.pow($0, $1)
            }
        case .float32: return try realPower(base, exponent, Float.self)
        case .float64: return try realPower(base, exponent, Double.self)
        case .float16, .bfloat16:
            return try power(base.converted(to: .float32), exponent).converted(to: base.dataType)
        case .int8: return try integerPower(base, exponent, Int8.self)
        case .int16: return try integerPower(base, exponent, Int16.self)
        case .int32: return try integerPower(base, exponent, Int32.self)
        case .int64: return try integerPower(base, exponent, Int64.self)
        case .uint8: return try integerPower(base, exponent, UInt8.self)
        case .uint16: return try integerPower(base, exponent, UInt16.self)
        case .uint32: return try integerPower(base, exponent, UInt32.self)
        case .uint64: return try integerPower(base, exponent, UInt64.self)
        default: throw ElementwiseDispatch.unsupported("Pow", base.dataType, expected: "a numeric base")
        }
    }

    private static func realPower<F: FloatElement>(
        _ base: Tensor, _ exponent: Tensor, _ type: F.Type
    ) throws(KernelError) -> Tensor {
        try ElementwiseLoops.combine(base, exponent.converted(to: .float64), F.self, Double.self, to: F.self, op: "Pow") {
            F(Double.pow(Double($0), $1))
        }
    }

    private static func integerPower<T: IntegerElement>(
        _ base: Tensor, _ exponent: Tensor, _ type: T.Type
    ) throws(KernelError) -> Tensor {
        if exponent.dataType.isFloatingPoint {
            return try ElementwiseLoops.combine(base, exponent.converted(to: .float64), T.self, Double.self, to: T.self,
                                                op: "Pow") {
                T(castFrom: Double.pow($0.doubleValue, $1))
            }
        }
        let exponents = exponent.converted(to: .int64)
        if exponent.dataType != .uint64, exponents.scalars(as: Int64.self).contains(where: { $0 < 0 }) {
            throw .invalidArgument("Pow: integers cannot be raised to negative integer powers")
        }
        return try ElementwiseLoops.combine(base, exponents, T.self, Int64.self, to: T.self, op: "Pow") { value, power in
            var result: T = 1, square = value, remaining = UInt64(bitPattern: power)
            while remaining > 0 {
                if remaining & 1 == 1 { result = result &* square }
                square = square &* square
                remaining >>= 1
            }
            return result
        }
    }
}
