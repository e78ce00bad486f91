import SwitchyardTensor

/// BitShift, BitwiseAnd, BitwiseOr, BitwiseXor on integer tensors with NumPy broadcasting
/// (BitwiseNot is with the unary operators).
enum Bitwise {
    enum Operation {
        case and, or, xor
        /// Shift amounts outside `0..<bitWidth` give 0, or -1 for a right shift of a negative
        /// signed value (as ONNX's reference does); left shifts of signed values wrap.
        case shiftLeft, shiftRight

        @inline(__always)
        func callAsFunction<T: FixedWidthInteger>(_ a: T, _ b: T) -> T {
            switch self {
            case .and: return a & b
            case .or: return a | b
            case .xor: return a ^ b
            case .shiftLeft:
                return b < 0 || b >= T.bitWidth ? 0 : a &<< b
            case .shiftRight:
                if b < 0 || b >= T.bitWidth { return a < 0 ? ~0 : 0 }
                return a &>> b
            }
        }
    }

    static var kernels: [String: ReferenceKernel] {
        [
            "BitwiseAnd": { context in [try apply(context, .and)] },
            "BitwiseOr": { context in [try apply(context, .or)] },
            "BitwiseXor": { context in [try apply(context, .xor)] },
            "BitShift": { context in
                switch try context.string("direction") {
                case "LEFT": return [try apply(context, .shiftLeft)]
                case "RIGHT": return [try apply(context, .shiftRight)]
                case let other:
                    throw KernelError.invalidArgument("BitShift: attribute 'direction' must be \"LEFT\" or \"RIGHT\", got \(other.map { "\"\($0)\"" } ?? "nothing")")
                }
            },
        ]
    }

    private static func apply(_ context: OpContext, _ operation: Operation) throws(KernelError) -> Tensor {
        let a = try context.input(0), b = try context.input(1)
        let op = context.node.opType
        try ElementwiseDispatch.requireSameType(a, b, op: op)
        func run<T: FixedWidthInteger & TensorScalar>(_ type: T.Type) throws(KernelError) -> Tensor {
            try ElementwiseLoops.combine(a, b, T.self, T.self, to: T.self, op: op) { operation($0, $1) }
        }
        switch a.dataType {
        case .int8: return try run(Int8.self)
        case .int16: return try run(Int16.self)
        case .int32: return try run(Int32.self)
        case .int64: return try run(Int64.self)
        case .uint8: return try run(UInt8.self)
        case .uint16: return try run(UInt16.self)
        case .uint32: return try run(UInt32.self)
        case .uint64: return try run(UInt64.self)
        default: throw ElementwiseDispatch.unsupported(op, a.dataType, expected: "an integer type")
        }
    }
}
