import SwitchyardTensor

extension MovementOps {
    /// Shape: the input's shape as int64, sliced by `start`/`end` (opset 15) with clamping.
    static func shape(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let dims = try context.input(0).shape
        let rank = dims.count
        func clamp(_ value: Int) -> Int { min(max(value < 0 ? value + rank : value, 0), rank) }
        let start = clamp(try context.int("start", default: 0))
        let end = clamp(try context.int("end", default: rank))
        let selected = start < end ? Array(dims[start..<end]) : []
        return [Tensor(shape: [selected.count], scalars: selected.map(Int64.init))]
    }

    /// Size: the element count as an int64 scalar.
    static func size(_ context: OpContext) throws(KernelError) -> [Tensor] {
        [Tensor(scalar: Int64(try context.input(0).count))]
    }
}
