import SwitchyardGraph
import SwitchyardTensor

extension ShapeRules {
    static let reductionOps: [(op: String, axesInputOpset: Int)] = [
        ("ReduceSum", 13), ("ReduceMean", 18), ("ReduceMax", 18), ("ReduceMin", 18), ("ReduceProd", 18),
        ("ReduceL1", 18), ("ReduceL2", 18), ("ReduceLogSum", 18), ("ReduceLogSumExp", 18), ("ReduceSumSquare", 18),
    ]

    static let reductions: [String: ShapeRule] = {
        var table: [String: ShapeRule] = [:]
        for (op, axesInputOpset) in reductionOps {
            table[op] = { reduceShape($0, axesInputOpset: axesInputOpset) }
        }
        table["ArgMax"] = argShape
        table["ArgMin"] = argShape
        table["TopK"] = { context in
            let dataType = context.dataType(0)
            guard var shape = context.shape(0),
                  let axis = context.axis(context.int("axis", default: -1), rank: shape.count) else {
                return [ValueFact(dataType: dataType), ValueFact(dataType: .int64)]
            }
            let k = context.opset < 10 ? context.int("k") : context.ints(ofInput: 1)?.first
            shape[axis] = k.map(Dimension.fixed) ?? .unknown
            return [ValueFact(dataType: dataType, shape: shape), ValueFact(dataType: .int64, shape: shape)]
        }
        return table
    }()

    static func reduceShape(_ context: InferenceContext, axesInputOpset: Int) -> [ValueFact] {
        let dataType = context.dataType(0)
        guard let x = context.shape(0), let axesOption = context.axes(attributeBefore: axesInputOpset, inputIndex: 1) else {
            return [ValueFact(dataType: dataType)]
        }
        let keepDims = context.int("keepdims", default: 1) != 0
        let axes: Set<Int>
        if let given = axesOption, !given.isEmpty {
            axes = Set(given.compactMap { context.axis($0, rank: x.count) })
            guard axes.count == Set(given).count else { return [ValueFact(dataType: dataType)] }
        } else if context.int("noop_with_empty_axes", default: 0) != 0 {
            return [ValueFact(dataType: dataType, shape: x)]
        } else {
            axes = Set(0..<x.count)
        }
        let shape: [Dimension] = x.enumerated().compactMap { axis, dimension in
            axes.contains(axis) ? (keepDims ? .fixed(1) : nil) : dimension
        }
        return [ValueFact(dataType: dataType, shape: shape)]
    }

    static func argShape(_ context: InferenceContext) -> [ValueFact] {
        guard var shape = context.shape(0), let axis = context.axis(context.int("axis", default: 0), rank: shape.count) else {
            return [ValueFact(dataType: .int64)]
        }
        if context.int("keepdims", default: 1) != 0 { shape[axis] = .fixed(1) } else { shape.remove(at: axis) }
        return [ValueFact(dataType: .int64, shape: shape)]
    }
}
