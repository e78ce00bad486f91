import SwitchyardTensor

/// A function of one floating-point value (a transcendental or an activation).
protocol RealFunction {
    func callAsFunction<F: FloatElement>(_ x: F) -> F
}

/// A function of one number of any numeric type.
protocol NumericFunction {
    func callAsFunction<T: NumericElement>(_ x: T) -> T
}

/// A function of two numbers of the same numeric type.
protocol BinaryNumericFunction {
    func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T
}

/// A predicate on two values of the same type.
protocol ComparisonFunction {
    func callAsFunction<T: Comparable>(_ a: T, _ b: T) -> Bool
}

/// Picks the concrete Swift element type for a tensor's `DataType` and runs a generic loop
/// with it. Half-precision tensors (`float16`, `bfloat16`) are widened to `float32`, computed,
/// and rounded back once.
enum ElementwiseDispatch {
    static func unsupported(_ op: String, _ type: DataType, expected: String) -> KernelError {
        .unsupported("\(op): element type \(type) is not supported (expected \(expected))")
    }

    /// True for the half-precision types computed through `float32`.
    static func isHalf(_ type: DataType) -> Bool { type == .float16 || type == .bfloat16 }

    /// `f` on every element of a floating-point tensor.
    static func real<M: RealFunction>(_ x: Tensor, op: String, _ f: M) throws(KernelError) -> Tensor {
        switch x.dataType {
        case .float32: return ElementwiseLoops.map(x, Float.self, to: Float.self) { f($0) }
        case .float64: return ElementwiseLoops.map(x, Double.self, to: Double.self) { f($0) }
        case .float16, .bfloat16:
            return try real(x.converted(to: .float32), op: op, f).converted(to: x.dataType)
        default: throw unsupported(op, x.dataType, expected: "a floating-point type")
        }
    }

    /// `f` on every element of a numeric tensor.
    static func numeric<M: NumericFunction>(
        _ x: Tensor, op: String, signedOnly: Bool = false, _ f: M
    ) throws(KernelError) -> Tensor {
        func run<T: NumericElement>(_ type: T.Type) -> Tensor {
            ElementwiseLoops.map(x, T.self, to: T.self) { f($0) }
        }
        switch x.dataType {
        case .float32: return run(Float.self)
        case .float64: return run(Double.self)
        case .float16, .bfloat16:
            return try numeric(x.converted(to: .float32), op: op, f).converted(to: x.dataType)
        case .int8: return run(Int8.self)
        case .int16: return run(Int16.self)
        case .int32: return run(Int32.self)
        case .int64: return run(Int64.self)
        case .uint8 where !signedOnly: return run(UInt8.self)
        case .uint16 where !signedOnly: return run(UInt16.self)
        case .uint32 where !signedOnly: return run(UInt32.self)
        case .uint64 where !signedOnly: return run(UInt64.self)
        default:
            throw unsupported(op, x.dataType, expected: signedOnly ? "a signed numeric type" : "a numeric type")
        }
    }

    /// `f(a, b)` with broadcasting on two numeric tensors of the same type.
    static func binaryNumeric<M: BinaryNumericFunction>(
        _ a: Tensor, _ b: Tensor, op: String, _ f: M
    ) throws(KernelError) -> Tensor {
        try requireSameType(a, b, op: op)
        func run<T: NumericElement>(_ type: T.Type) throws(KernelError) -> Tensor {
            try ElementwiseLoops.combine(a, b, T.self, T.self, to: T.self, op: op) { f($0, $1) }
        }
        switch a.dataType {
        case .float32: return try run(Float.self)
        case .float64: return try run(Double.self)
        case .float16, .bfloat16:
            return try binaryNumeric(a.converted(to: .float32), b.converted(to: .float32), op: op, f)
                .converted(to: a.dataType)
        case .int8: return try run(Int8.self)
        case .int16: return try run(Int16.self)
        case .int32: return try run(Int32.self)
        case .int64: return try run(Int64.self)
        case .uint8: return try run(UInt8.self)
        case .uint16: return try run(UInt16.self)
        case .uint32: return try run(UInt32.self)
        case .uint64: return try run(UInt64.self)
        default: throw unsupported(op, a.dataType, expected: "a numeric type")
        }
    }

    /// `f(a, b)` with broadcasting on two tensors of the same type, giving a bool tensor.
    /// Bool tensors compare as 0/1 and strings lexicographically.
    static func compare<M: ComparisonFunction>(
        _ a: Tensor, _ b: Tensor, op: String, allowBool: Bool, allowString: Bool, _ f: M
    ) throws(KernelError) -> Tensor {
        try requireSameType(a, b, op: op)
        func run<T: TensorScalar & Comparable>(_ type: T.Type) throws(KernelError) -> Tensor {
            try ElementwiseLoops.combine(a, b, T.self, T.self, to: Bool.self, op: op) { f($0, $1) }
        }
        switch a.dataType {
        case .float32: return try run(Float.self)
        case .float64: return try run(Double.self)
        case .float16, .bfloat16:
            return try compare(a.converted(to: .float32), b.converted(to: .float32), op: op,
                               allowBool: allowBool, allowString: allowString, f)
        case .int8: return try run(Int8.self)
        case .int16: return try run(Int16.self)
        case .int32: return try run(Int32.self)
        case .int64: return try run(Int64.self)
        case .uint8: return try run(UInt8.self)
        case .uint16: return try run(UInt16.self)
        case .uint32: return try run(UInt32.self)
        case .uint64: return try run(UInt64.self)
        case .bool where allowBool:
            return try compare(reinterpret(a, as: .uint8), reinterpret(b, as: .uint8), op: op,
                               allowBool: false, allowString: false, f)
        case .string where allowString:
            let (shape, values) = try ElementwiseLoops.combine(
                a.strings, shape: a.shape, b.strings, shape: b.shape, op: op) { f($0, $1) }
            return Tensor(shape: shape, scalars: values)
        default: throw unsupported(op, a.dataType, expected: "a numeric type")
        }
    }

    /// `x`'s bytes viewed as another type of the same width (no copy).
    static func reinterpret(_ x: Tensor, as type: DataType) -> Tensor {
        precondition(type.byteSize == x.dataType.byteSize && type != .string && x.dataType != .string)
        return Tensor(dataType: type, shape: x.shape, storage: x.storage)
    }

    static func requireSameType(_ a: Tensor, _ b: Tensor, op: String) throws(KernelError) {
        guard a.dataType == b.dataType else {
            throw .invalidArgument("\(op): inputs must have the same element type, got \(a.dataType) and \(b.dataType)")
        }
    }

    /// The two inputs of a binary operator. Before opset 7, `B` broadcasts onto `A` only when
    /// the `broadcast` attribute is 1, aligned at `axis` (trailing alignment by default).
    static func binaryInputs(_ context: OpContext) throws(KernelError) -> (Tensor, Tensor) {
        let a = try context.input(0)
        var b = try context.input(1)
        guard context.opset < 7 else { return (a, b) }
        let op = context.node.opType
        guard try context.int("broadcast", default: 0) != 0 else {
            guard a.shape == b.shape else {
                throw .invalidArgument("\(op): shapes \(a.shape) and \(b.shape) differ and attribute 'broadcast' is 0 (opset \(context.opset))")
            }
            return (a, b)
        }
        if let axis = try context.int("axis") {
            let start = axis < 0 ? axis + a.rank : axis
            guard start >= 0, start + b.rank <= a.rank else {
                throw .invalidArgument("\(op): axis \(axis) cannot align B of shape \(b.shape) with A of shape \(a.shape)")
            }
            b = b.reshaped(b.shape + [Int](repeating: 1, count: a.rank - start - b.rank))
        }
        return (a, b)
    }
}
