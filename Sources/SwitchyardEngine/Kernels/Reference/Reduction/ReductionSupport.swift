import SwitchyardTensor

/// What the reductions share: resolving `axes` (an attribute in early opsets, an optional input
/// later), the shapes they produce, and one pass that folds every input element into the
/// accumulator of its output position.
enum ReductionSupport {
    /// The axes a reduction node reduces, sorted; `nil` when it must return its input unchanged
    /// (`noop_with_empty_axes` with no axes). `axesInputSince` is the opset from which `axes`
    /// is an input (13 for ReduceSum, 18 for the others).
    static func axes(_ context: OpContext, rank: Int, axesInputSince: Int) throws(KernelError) -> [Int]? {
        let op = context.node.opType
        var requested: [Int]
        if context.opset >= axesInputSince {
            requested = context.optionalInput(1)?.ints() ?? []
            let noop = try context.int("noop_with_empty_axes", default: 0) != 0
            if requested.isEmpty && noop { return nil }
        } else {
            requested = try context.ints("axes") ?? []
        }
        if requested.isEmpty { return Array(0..<rank) }
        var resolved: [Int] = []
        for axis in requested {
            let normalized = axis < 0 ? axis + rank : axis
            guard normalized >= 0 && normalized < rank else {
                throw .invalidArgument("\(op): axis \(axis) is out of range for rank \(rank)")
            }
            guard !resolved.contains(normalized) else {
                throw .invalidArgument("\(op): axis \(axis) is listed twice in \(requested)")
            }
            resolved.append(normalized)
        }
        return resolved.sorted()
    }

    /// `shape` with the reduced `axes` set to 1.
    static func keptShape(_ shape: [Int], axes: [Int]) -> [Int] {
        var kept = shape
        for axis in axes { kept[axis] = 1 }
        return kept
    }

    /// The output shape: reduced axes kept as 1 or dropped.
    static func outputShape(_ shape: [Int], axes: [Int], keepDims: Bool) -> [Int] {
        keepDims ? keptShape(shape, axes: axes) : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    }

    /// Folds every element of `x` into the accumulator of its output position (one per element
    /// of `keptShape`, starting from `initial`). The input is read once, in order; when the
    /// reduced axes are innermost, each row folds into a single local accumulator.
    static func accumulate<T: TensorScalar, Accumulator>(
        _ x: Tensor, _ type: T.Type, keptShape: [Int], initial: [Accumulator],
        _ step: (inout Accumulator, T) -> Void
    ) -> [Accumulator] {
        var accumulators = initial
        let plan = ElementwiseLoops.RowPlan(outputShape: x.shape, operandShapes: [keptShape])
        let length = plan.rowLength
        let advances = plan.innerStrides[0] == 1
        x.withUnsafeBufferPointer(of: T.self) { input in
            accumulators.withUnsafeMutableBufferPointer { accumulators in
                guard let base = accumulators.baseAddress else { return }
                plan.forEachRow { inputOffset, offsets in
                    let row = input.baseAddress! + inputOffset
                    let target = base + offsets[0]
                    if advances {
                        for index in 0..<length { step(&target[index], row[index]) }
                    } else {
                        var value = target.pointee
                        for index in 0..<length { step(&value, row[index]) }
                        target.pointee = value
                    }
                }
            }
        }
        return accumulators
    }

    /// Splits `shape` around `axis`: elements before it, along it and after it.
    static func split(_ shape: [Int], at axis: Int) -> (outer: Int, length: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }
}
