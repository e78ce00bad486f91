import SwitchyardTensor

extension MovementOps {
    /// Squeeze: removes the listed size-1 axes (all size-1 axes when none are listed).
    static func squeeze(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let shape: [Int]
        if let axes = try intList(context, input: 1, attribute: "axes", inputOpset: 13) {
            let resolved = try normalizedAxes(axes, rank: data.rank, op: "Squeeze")
            for axis in resolved where data.shape[axis] != 1 {
                throw .invalidArgument("Squeeze: axis \(axis) has size \(data.shape[axis]), not 1, in shape \(data.shape)")
            }
            shape = data.shape.enumerated().filter { !resolved.contains($0.offset) }.map(\.element)
        } else {
            shape = data.shape.filter { $0 != 1 }
        }
        return [data.reshaped(shape)]
    }

    /// Unsqueeze: inserts size-1 axes at the listed positions of the output.
    static func unsqueeze(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        guard let axes = try intList(context, input: 1, attribute: "axes", inputOpset: 13) else {
            throw .invalidArgument("Unsqueeze: axes are missing")
        }
        let outputRank = data.rank + axes.count
        let resolved = try normalizedAxes(axes, rank: outputRank, op: "Unsqueeze")
        var remaining = data.shape[...]
        let shape = (0..<outputRank).map { resolved.contains($0) ? 1 : remaining.popFirst()! }
        return [data.reshaped(shape)]
    }
}
