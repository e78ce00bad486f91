import SwitchyardTensor

/// Equal, Greater, GreaterOrEqual, Less, LessOrEqual: bool results with NumPy broadcasting.
/// NaN compares unequal and unordered, as IEEE 754 says.
enum Comparison: String, ComparisonFunction, CaseIterable {
    case Equal, Greater, GreaterOrEqual, Less, LessOrEqual

    @inline(__always)
    func callAsFunction<T: Comparable>(_ a: T, _ b: T) -> Bool {
        switch self {
        case .Equal: a == b
        case .Greater: a > b
        case .GreaterOrEqual: a >= b
        case .Less: a < b
        case .LessOrEqual: a <= b
        }
    }

    static var kernels: [String: ReferenceKernel] {
        var table: [String: ReferenceKernel] = [:]
        for comparison in allCases {
            table[comparison.rawValue] = { context in
                let (a, b) = try ElementwiseDispatch.binaryInputs(context)
                // Only Equal is defined on bool and string tensors.
                let isEqual = comparison == .Equal
                return [try ElementwiseDispatch.compare(a, b, op: comparison.rawValue, allowBool: isEqual,
                                                        allowString: isEqual, comparison)]
            }
        }
        return table
    }
}
