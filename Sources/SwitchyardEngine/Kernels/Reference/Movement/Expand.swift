import SwitchyardTensor

extension MovementOps {
    /// Expand: broadcasts the input to the bidirectional broadcast of its shape and `shape`.
    static func expand(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let requested = try context.input(1).ints()
        _ = try checkedCount(requested, op: "Expand")
        let shape = try ShapeMath.broadcast([data.shape, requested])
        _ = try checkedCount(shape, op: "Expand")
        return [broadcasted(data, to: shape)]
    }

    /// `data` broadcast (NumPy rules, already checked) to `shape`.
    static func broadcasted(_ data: Tensor, to shape: [Int]) -> Tensor {
        let padded = [Int](repeating: 1, count: shape.count - data.rank) + data.shape
        let strides = ShapeMath.strides(padded)
        let offsets = shape.indices.map { axis in
            (0..<shape[axis]).map { padded[axis] == 1 ? 0 : $0 * strides[axis] }
        }
        return MovementCopy.mapped(data, shape: shape, axisOffsets: offsets)
    }

    /// Tile: repeats the input `repeats[a]` times along each axis `a`.
    static func tile(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let repeats = try context.input(1).ints()
        guard repeats.count == data.rank, repeats.allSatisfy({ $0 >= 0 }) else {
            throw .invalidArgument("Tile: repeats \(repeats) must be \(data.rank) non-negative values for input shape \(data.shape)")
        }
        let strides = ShapeMath.strides(data.shape)
        for (dimension, count) in zip(data.shape, repeats) where dimension > 0 && count > Int.max / dimension {
            throw .invalidArgument("Tile: repeating \(dimension) elements \(count) times overflows")
        }
        let shape = zip(data.shape, repeats).map { $0 * $1 }
        _ = try checkedCount(shape, op: "Tile")
        let offsets = shape.indices.map { axis in
            (0..<shape[axis]).map { ($0 % data.shape[axis]) * strides[axis] }
        }
        return [MovementCopy.mapped(data, shape: shape, axisOffsets: offsets)]
    }
}
