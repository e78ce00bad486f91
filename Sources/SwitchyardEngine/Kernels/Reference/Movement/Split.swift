import SwitchyardTensor

extension MovementOps {
    /// Split: parts along `axis` sized by `split` (attribute before opset 13, input after), or
    /// equal parts — with a smaller last one when `num_outputs` (opset 18) does not divide.
    static func split(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let axis = try MovementOps.resolvedAxis(try context.int("axis", default: 0), rank: data.rank, op: "Split")
        let dimension = data.shape[axis]
        let outputCount = context.node.outputs.count
        var sizes: [Int]
        // An empty `split` counts as absent, as ONNX Runtime treats it.
        if let split = try intList(context, input: 1, attribute: "split", inputOpset: 13)
            ?? (context.opset < 13 ? context.optionalInput(1)?.ints() : nil), !split.isEmpty {
            sizes = split
            guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == dimension else {
                throw .invalidArgument("Split: split \(sizes) must be non-negative and sum to \(dimension), the size of axis \(axis)")
            }
        } else {
            let parts = try context.int("num_outputs") ?? outputCount
            guard parts > 0 else { throw .invalidArgument("Split: num_outputs must be positive, got \(parts)") }
            if context.hasAttribute("num_outputs") {
                let chunk = (dimension + parts - 1) / parts
                sizes = (0..<parts).map { max(0, min(chunk, dimension - $0 * chunk)) }
            } else {
                guard dimension % parts == 0 else {
                    throw .invalidArgument("Split: axis \(axis) of size \(dimension) does not split into \(parts) equal parts")
                }
                sizes = [Int](repeating: dimension / parts, count: parts)
            }
        }
        guard sizes.count == outputCount else {
            throw .invalidArgument("Split: \(sizes.count) parts for \(outputCount) outputs")
        }
        var ranges = data.shape.map { SliceRange(start: 0, step: 1, count: $0) }
        var start = 0
        return sizes.map { size in
            ranges[axis] = SliceRange(start: start, step: 1, count: size)
            start += size
            return sliced(data, ranges: ranges)
        }
    }
}
