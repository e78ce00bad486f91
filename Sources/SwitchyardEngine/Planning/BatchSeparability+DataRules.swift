import SwitchyardGraph
import SwitchyardTensor

/// The rules for operators that read two data tensors (products, gathers, joins) and for the
/// settings of slicing, padding and resizing.
extension BatchSeparability {
    /// nil when the operator is not covered here; `.some(nil)` when its use keeps items apart.
    static func pairedDataViolation(_ operands: Operands) -> String?? {
        let context = operands.context
        switch operands.node.opType {
        case "MatMul", "MatMulInteger", "FusedMatMul":
            return .some(productViolation(operands, a: 0, b: 1) ?? operands.parameters(except: [0, 1]))
        case "QLinearMatMul":
            return .some(productViolation(operands, a: 0, b: 3) ?? operands.parameters(except: [0, 3]))
        case "Gemm":
            // Rows of A (columns, when transposed) are the items; B and C are weights.
            guard operands.batchAxis(0) == context.int("transA", default: 0) else {
                return .some("multiplies along the batch (the batch is not A's rows)")
            }
            if let reason = operands.parameter(1) { return .some(reason) }
            if operands.role(2) != nil, let reason = operands.broadcastData(2) { return .some(reason) }
            return .some(nil)
        case "Concat":
            let axis = operands.batchAxis(0)
            for index in operands.roles.indices where operands.batchAxis(index) == nil || operands.batchAxis(index) != axis {
                return .some("joins '\(operands.node.inputs[index])', which does not hold the batch where the first input does")
            }
            return .some(operands.alongAxis(context.int("axis")))
        case "Gather":
            if operands.role(0)?.isBatched == true {
                if operands.role(1)?.isBatched == true { return .some("indexes batch data with batch data") }
                return .some(operands.alongAxis(context.int("axis") ?? 0))
            }
            // A table looked up per item (an embedding): the indices carry the batch.
            return .some(operands.parameter(0))
        case "GatherElements", "ScatterElements":
            let axis = operands.batchAxis(0)
            for index in operands.roles.indices where operands.batchAxis(index) != axis || operands.rank(index) != operands.rank(0) {
                return .some("reads '\(operands.node.inputs[index])', which is not batch data laid out like the first input")
            }
            return .some(operands.alongAxis(context.int("axis") ?? 0))
        case "GridSample":
            return .some(operands.batchAxis(0) == 0 && operands.batchAxis(1) == 0 ? nil : "samples without a per-item grid")
        case "Trilu":
            guard let rank = operands.rank(0), let batch = operands.batchAxis(0), batch < rank - 2 else {
                return .some("masks a matrix whose rows or columns are the batch")
            }
            return .some(operands.parameters(except: [0]))
        default:
            return nil
        }
    }

    /// A matrix product keeps items apart when the batch is a leading (broadcast) dimension of
    /// both factors at the same place, A's rows, or B's columns, and never the summed dimension.
    private static func productViolation(_ operands: Operands, a: Int, b: Int) -> String? {
        guard let rankA = operands.rank(a), let rankB = operands.rank(b), let outputRank = operands.outputRank,
              let outputAxis = operands.outputBatchAxis else { return "multiplies tensors of unknown rank" }
        for (index, rank, summed) in [(a, rankA, rankA - 1), (b, rankB, rankB - 2)] {
            switch operands.role(index) {
            case .batched(let axis)?:
                if axis == summed || (rank == 1) { return "sums over the batch" }
                let isMatrixAxis = axis >= rank - 2
                // A leading axis must line up with the output's batch, like an elementwise operand.
                if !isMatrixAxis, axis - rank != outputAxis - outputRank { return "broadcasts the batch of '\(operands.node.inputs[index])' against another dimension" }
            case .sizeDependent?:
                return "multiplies by '\(operands.node.inputs[index])', computed from the batch size"
            case .fixed?, nil:
                // A weight's leading dimensions must not vary along a leading batch.
                let aligned = outputAxis - (outputRank - rank)
                if outputAxis < outputRank - 2, aligned >= 0, aligned < rank - 2,
                   operands.context.shape(index)?[aligned] != .fixed(1) {
                    return "broadcasts '\(operands.node.inputs[index])' along the batch dimension"
                }
            }
        }
        return nil
    }

    /// Slicing keeps items apart when the batch is not among the sliced axes.
    static func sliceViolation(_ operands: Operands) -> String? {
        let context = operands.context
        guard let rank = operands.rank(0) else { return "slices a tensor of unknown rank" }
        let axes: [Int]
        if context.opset < 10 {
            axes = context.ints("axes") ?? Array(0..<(context.ints("starts")?.count ?? rank))
        } else if context.isPresent(3) {
            guard let given = operands.ints(3) else { return "has axes computed at run time" }
            axes = given
        } else {
            guard let count = context.shape(1)?.first?.fixedValue else { return "slices axes that cannot be known" }
            axes = Array(0..<count)
        }
        for axis in axes {
            guard let resolved = context.axis(axis, rank: rank) else { return "has an axis that cannot be resolved" }
            if resolved == operands.batchAxis(0) { return "slices the batch" }
        }
        return nil
    }

    /// Padding keeps items apart when nothing is added before or after the batch.
    static func padViolation(_ operands: Operands) -> String? {
        let context = operands.context
        guard let rank = operands.rank(0), let batch = operands.batchAxis(0) else { return "pads a tensor of unknown rank" }
        guard let pads = context.opset < 11 ? context.ints("pads") : operands.ints(1) else { return "has pads computed at run time" }
        var axes = Array(0..<rank)
        if context.isPresent(3) {
            guard let given = operands.ints(3) else { return "has axes computed at run time" }
            axes = given.compactMap { context.axis($0, rank: rank) }
        }
        guard pads.count == 2 * axes.count else { return "has pads that do not match its axes" }
        for (position, axis) in axes.enumerated() where axis == batch {
            if pads[position] != 0 || pads[position + axes.count] != 0 { return "pads the batch" }
        }
        return nil
    }

    /// Resizing keeps items apart when the batch's scale is 1 (a size is checked by the output's shape).
    static func resizeViolation(_ operands: Operands) -> String? {
        let context = operands.context
        guard let batch = operands.batchAxis(0) else { return "does not take batch data first" }
        let scales: [Float]?
        if context.node.opType == "Upsample" && context.opset < 9 {
            scales = context.floats("scales")
        } else {
            let index = context.node.opType == "Upsample" ? 1 : 2
            guard context.isPresent(index), (context.shape(index)?.first?.fixedValue ?? 1) > 0 else { return nil }
            guard let values = context.input(index)?.constant?.floats() else { return "has scales computed at run time" }
            scales = values
        }
        guard let scales else { return "has no scales" }
        let axes = context.ints("axes") ?? Array(0..<scales.count)
        for (axis, scale) in zip(axes, scales) where context.axis(axis, rank: operands.rank(0) ?? scales.count) == batch && scale != 1 {
            return "scales the batch"
        }
        return nil
    }
}
