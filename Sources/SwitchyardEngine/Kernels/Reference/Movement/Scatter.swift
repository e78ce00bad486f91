import SwitchyardTensor

extension IndexingOps {
    /// ScatterElements: a copy of `data` with `updates[i][j][k]` written at the coordinate
    /// whose `axis` entry is `indices[i][j][k]`, combined by `reduction` (opset 16+).
    static func scatterElements(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let reduction = context.opset >= 16 ? try ScatterReduction(context) : .none
        return [try scatterElements(context, reduction: reduction)]
    }

    /// Scatter (opsets 9–10): ScatterElements without reduction.
    static func scatter(_ context: OpContext) throws(KernelError) -> [Tensor] {
        [try scatterElements(context, reduction: .none)]
    }

    private static func scatterElements(_ context: OpContext, reduction: ScatterReduction) throws(KernelError) -> Tensor {
        let op = context.node.opType
        let data = try context.input(0), indices = try context.input(1), updates = try context.input(2)
        guard updates.shape == indices.shape, updates.dataType == data.dataType else {
            throw .invalidArgument("\(op): updates (\(updates.dataType) \(updates.shape)) must match indices shape \(indices.shape) and data type \(data.dataType)")
        }
        let axis = try MovementOps.resolvedAxis(try context.int("axis", default: 0), rank: data.rank, op: op)
        let targets = try elementOffsets(indices: indices, axis: axis, target: data.shape, op: op)
        return try scattered(data, updates: updates, targets: targets, blockSize: 1, reduction: reduction, op: op)
    }

    /// ScatterND: a copy of `data` with each slice of `updates` written at the slice addressed
    /// by the matching tuple in the last axis of `indices`, combined by `reduction`.
    static func scatterND(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0), indices = try context.input(1), updates = try context.input(2)
        let reduction = context.opset >= 16 ? try ScatterReduction(context) : .none
        let plan = try NDIndexPlan(data: data.shape, indices: indices, batchDims: 0, op: "ScatterND")
        let expected = Array(indices.shape.dropLast()) + Array(data.shape[plan.depth...])
        guard updates.shape == expected, updates.dataType == data.dataType else {
            throw .invalidArgument("ScatterND: updates must be \(data.dataType) of shape \(expected), got \(updates.dataType) \(updates.shape)")
        }
        return [try scattered(data, updates: updates, targets: plan.sliceOffsets, blockSize: plan.sliceSize,
                              reduction: reduction, op: "ScatterND")]
    }

    /// `data` with block `i` of `updates` (`blockSize` elements) combined into the elements
    /// starting at `targets[i]`, in order (later updates win for `none`).
    private static func scattered(
        _ data: Tensor, updates: Tensor, targets: [Int], blockSize: Int, reduction: ScatterReduction, op: String
    ) throws(KernelError) -> Tensor {
        if reduction == .none {
            return MovementCopy.build(from: [data, updates], shape: data.shape, writesEveryElement: true) { copiers in
                copiers[0].copy(from: 0, to: 0, count: data.count)
                for (block, target) in targets.enumerated() {
                    copiers[1].copy(from: block * blockSize, to: target, count: blockSize)
                }
            }
        }
        func combined<T: IndexingArithmetic>(_ values: [T], _ changes: [T]) -> [T] {
            var values = values
            for (block, target) in targets.enumerated() {
                for element in 0..<blockSize {
                    values[target + element] = reduction.combine(values[target + element], changes[block * blockSize + element])
                }
            }
            return values
        }
        let result: NumericArray
        switch (try NumericArray(data, op: op), try NumericArray(updates, op: op)) {
        case (.real(let values), .real(let changes)): result = .real(combined(values, changes))
        case (.signed(let values), .signed(let changes)): result = .signed(combined(values, changes))
        case (.unsigned(let values), .unsigned(let changes)): result = .unsigned(combined(values, changes))
        default: throw .invalidArgument("\(op): data and updates types differ")
        }
        return result.tensor(data.dataType, shape: data.shape)
    }
}
