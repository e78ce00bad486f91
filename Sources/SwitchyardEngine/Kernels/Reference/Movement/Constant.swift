import SwitchyardTensor

extension MovementOps {
    /// Constant: the tensor held by whichever of `value`, `value_float(s)`, `value_int(s)`,
    /// `value_string(s)` is set.
    static func constant(_ context: OpContext) throws(KernelError) -> [Tensor] {
        if let value = try context.tensor("value") { return [value] }
        if let value = try context.float("value_float") { return [Tensor(scalar: value)] }
        if case .floats(let values)? = context.node.attributes["value_floats"] {
            return [Tensor(shape: [values.count], scalars: values)]
        }
        if case .int(let value)? = context.node.attributes["value_int"] { return [Tensor(scalar: Int64(value))] }
        if case .ints(let values)? = context.node.attributes["value_ints"] {
            return [Tensor(shape: [values.count], scalars: values.map(Int64.init))]
        }
        if let value = try context.string("value_string") { return [Tensor(shape: [], strings: [value])] }
        if let values = try context.strings("value_strings") { return [Tensor(shape: [values.count], strings: values)] }
        if context.hasAttribute("sparse_value") {
            throw .unsupported("Constant: sparse_value is not supported; store the constant densely")
        }
        throw .invalidArgument("Constant: none of value, value_float(s), value_int(s), value_string(s) is set")
    }

    /// ConstantOfShape: a tensor of the given shape filled with `value` (default float 0).
    static func constantOfShape(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let shape = try context.input(0).ints()
        let count = try checkedCount(shape, op: "ConstantOfShape")
        let value = try context.tensor("value") ?? Tensor(scalar: Float(0))
        guard value.count == 1 else {
            throw .invalidArgument("ConstantOfShape: 'value' must hold one element, got shape \(value.shape)")
        }
        let zeros = [Int](repeating: 0, count: count)
        return [MovementCopy.gathered(from: value, shape: shape, sourceIndices: zeros)]
    }

    /// Range: `start, start+delta, …` below `limit` (above it for negative deltas), in the
    /// inputs' type. Integers are computed exactly.
    static func range(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let start = try context.input(0), limit = try context.input(1), delta = try context.input(2)
        guard start.count == 1, limit.count == 1, delta.count == 1 else {
            throw .invalidArgument("Range: start, limit and delta must be scalars, got shapes \(start.shape), \(limit.shape), \(delta.shape)")
        }
        let dataType = start.dataType
        if dataType.isInteger {
            let (first, last, step) = (start.int64s()[0], limit.int64s()[0], delta.int64s()[0])
            guard step != 0 else { throw .invalidArgument("Range: delta must not be 0") }
            let (span, spanOverflow) = last.subtractingReportingOverflow(first)
            let (quotient, quotientOverflow) = span.dividedReportingOverflow(by: step)
            guard !spanOverflow, !quotientOverflow, quotient < Int64(Int32.max) else {
                throw .invalidArgument("Range: start \(first), limit \(last) and delta \(step) give too many elements")
            }
            let count = max(0, quotient + (span % step != 0 ? 1 : 0))
            return [Tensor(dataType: dataType, shape: [Int(count)],
                           int64s: (0..<count).map { first &+ $0 &* step })]
        }
        let (first, last, step) = (start.doubles()[0], limit.doubles()[0], delta.doubles()[0])
        let steps = ((last - first) / step).rounded(.up)
        guard steps.isFinite, steps < Double(Int32.max) else {
            throw .invalidArgument("Range: start \(first), limit \(last) and delta \(step) do not give a finite length")
        }
        let count = max(0, Int(steps))
        return [Tensor(dataType: dataType, shape: [count], doubles: (0..<count).map { first + Double($0) * step })]
    }

    /// EyeLike: zeros shaped like the 2-D input with ones on diagonal `k`, in `dtype` (default:
    /// the input's type).
    static func eyeLike(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let input = try context.input(0)
        guard input.rank == 2 else { throw .invalidArgument("EyeLike: input must be 2-D, got shape \(input.shape)") }
        var dataType = input.dataType
        if let code = try context.int("dtype") {
            guard let requested = DataType(rawValue: Int32(code)), requested != .string else {
                throw .invalidArgument("EyeLike: dtype \(code) is not a supported numeric data type")
            }
            dataType = requested
        }
        let (rows, columns) = (input.shape[0], input.shape[1])
        let k = min(max(try context.int("k", default: 0), -(rows + columns)), rows + columns)
        var values = [Double](repeating: 0, count: rows * columns)
        for row in 0..<rows where row + k >= 0 && row + k < columns { values[row * columns + row + k] = 1 }
        return [Tensor(dataType: dataType, shape: input.shape, doubles: values)]
    }
}
