import SwitchyardTensor

extension IndexingOps {
    /// Compress: the slices along `axis` (of the flattened input when absent) whose
    /// `condition` entry is true; a condition shorter than the axis drops the rest.
    static func compress(_ context: OpContext) throws(KernelError) -> [Tensor] {
        var data = try context.input(0)
        let condition = try context.input(1)
        guard condition.rank == 1 else {
            throw .invalidArgument("Compress: condition must be 1-D, got shape \(condition.shape)")
        }
        let axis: Int
        if let requested = try context.int("axis") {
            axis = try MovementOps.resolvedAxis(requested, rank: data.rank, op: "Compress")
        } else {
            data = data.reshaped([data.count])
            axis = 0
        }
        guard condition.count <= data.shape[axis] else {
            throw .invalidArgument("Compress: condition has \(condition.count) entries for axis \(axis) of size \(data.shape[axis])")
        }
        let kept = condition.int64s().enumerated().filter { $0.element != 0 }.map(\.offset)
        return [MovementCopy.picking(data, axis: axis, positions: kept)]
    }

    /// NonZero: the coordinates of the non-zero elements, as an int64 `[rank, count]` tensor in
    /// row-major order (a scalar counts as rank 1, as in NumPy).
    static func nonZero(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let shape = data.rank == 0 ? [1] : data.shape
        let nonZero: [Bool]
        switch data.dataType {
        case .string: nonZero = data.strings.map { !$0.isEmpty }
        case let type where type.isFloatingPoint: nonZero = data.doubles().map { $0 != 0 }
        default: nonZero = data.int64s().map { $0 != 0 }
        }
        let positions = nonZero.indices.filter { nonZero[$0] }
        let strides = ShapeMath.strides(shape)
        var coordinates = [Int64](repeating: 0, count: shape.count * positions.count)
        for (column, position) in positions.enumerated() {
            for axis in shape.indices {
                coordinates[axis * positions.count + column] = Int64((position / strides[axis]) % shape[axis])
            }
        }
        return [Tensor(shape: [shape.count, positions.count], scalars: coordinates)]
    }

    /// OneHot: for each index (negative counts from `depth`), a vector along `axis` (default
    /// last) of `values[0]` with `values[1]` at the index; out-of-range indices give all-off.
    static func oneHot(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let indices = try context.input(0), depthTensor = try context.input(1), values = try context.input(2)
        guard depthTensor.count == 1, values.count == 2 else {
            throw .invalidArgument("OneHot: depth must be one value and values two, got shapes \(depthTensor.shape) and \(values.shape)")
        }
        let depth = depthTensor.ints()[0]
        guard depth > 0 else { throw .invalidArgument("OneHot: depth must be positive, got \(depth)") }
        let requested = try context.int("axis", default: -1)
        let axis = requested < 0 ? requested + indices.rank + 1 : requested
        guard axis >= 0 && axis <= indices.rank else {
            throw .invalidArgument("OneHot: axis \(requested) is out of range for output rank \(indices.rank + 1)")
        }
        let outer = indices.shape[..<axis].reduce(1, *)
        let inner = indices.shape[axis...].reduce(1, *)
        let targets = indices.ints().map { $0 < 0 ? $0 + depth : $0 }
        var picks = [Int](repeating: 0, count: outer * depth * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                let target = targets[o * inner + i]
                if target >= 0 && target < depth { picks[(o * depth + target) * inner + i] = 1 }
            }
        }
        var shape = indices.shape
        shape.insert(depth, at: axis)
        return [MovementCopy.gathered(from: values, shape: shape, sourceIndices: picks)]
    }
}
