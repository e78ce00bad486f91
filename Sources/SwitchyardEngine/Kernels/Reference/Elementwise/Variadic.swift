import SwitchyardTensor

/// Max, Min, Mean and Sum over one or more inputs, all broadcast together (NumPy rules). Max
/// and Min propagate NaN, as NumPy's `maximum` and `minimum` do.
enum Variadic: String, CaseIterable {
    case Max, Min, Mean, Sum

    struct Maximum: BinaryNumericFunction {
        @inline(__always) func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T { T.maximum(a, b) }
    }

    struct Minimum: BinaryNumericFunction {
        @inline(__always) func callAsFunction<T: NumericElement>(_ a: T, _ b: T) -> T { T.minimum(a, b) }
    }

    static var kernels: [String: ReferenceKernel] {
        var table: [String: ReferenceKernel] = [:]
        for operation in allCases {
            table[operation.rawValue] = { context in [try operation.apply(context.inputs.compactMap { $0 })] }
        }
        return table
    }

    func apply(_ inputs: [Tensor]) throws(KernelError) -> Tensor {
        guard var result = inputs.first else {
            throw .invalidArgument("\(rawValue) needs at least one input")
        }
        if self == .Mean || self == .Sum, !result.dataType.isFloatingPoint {
            throw ElementwiseDispatch.unsupported(rawValue, result.dataType, expected: "a floating-point type")
        }
        guard result.dataType.isFloatingPoint || result.dataType.isInteger else {
            throw ElementwiseDispatch.unsupported(rawValue, result.dataType, expected: "a numeric type")
        }
        for next in inputs.dropFirst() {
            result = switch self {
            case .Max: try ElementwiseDispatch.binaryNumeric(result, next, op: rawValue, Maximum())
            case .Min: try ElementwiseDispatch.binaryNumeric(result, next, op: rawValue, Minimum())
            case .Mean, .Sum: try ElementwiseDispatch.binaryNumeric(result, next, op: rawValue, BinaryArithmetic.Add())
            }
        }
        if self == .Mean && inputs.count > 1 {
            let count = Tensor(scalar: Double(inputs.count)).converted(to: result.dataType)
            result = try ElementwiseDispatch.binaryNumeric(result, count, op: rawValue, BinaryArithmetic.Divide())
        }
        return result
    }
}
