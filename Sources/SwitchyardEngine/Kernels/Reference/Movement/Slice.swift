import SwitchyardTensor

extension MovementOps {
    /// Slice: starts/ends/axes as attributes before opset 10, as inputs (plus steps) after.
    /// Bounds clamp as in NumPy; negative steps walk backwards.
    static func slice(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?
        if context.opset >= 10 {
            starts = try context.input(1).ints()
            ends = try context.input(2).ints()
            axes = context.optionalInput(3)?.ints()
            steps = context.optionalInput(4)?.ints()
        } else {
            guard let startsAttribute = try context.ints("starts"), let endsAttribute = try context.ints("ends") else {
                throw .invalidArgument("Slice: attributes 'starts' and 'ends' are required before opset 10")
            }
            (starts, ends, axes, steps) = (startsAttribute, endsAttribute, try context.ints("axes"), nil)
        }
        let resolvedAxes = try normalizedAxes(axes ?? Array(0..<starts.count), rank: data.rank, op: "Slice")
        let resolvedSteps = steps ?? [Int](repeating: 1, count: starts.count)
        guard ends.count == starts.count, resolvedAxes.count == starts.count, resolvedSteps.count == starts.count else {
            throw .invalidArgument("Slice: starts (\(starts.count)), ends (\(ends.count)), axes (\(resolvedAxes.count)) and steps (\(resolvedSteps.count)) must have equal lengths")
        }
        var ranges = data.shape.map { SliceRange(start: 0, step: 1, count: $0) }
        for (index, axis) in resolvedAxes.enumerated() {
            ranges[axis] = try SliceRange(start: starts[index], end: ends[index], step: resolvedSteps[index],
                                          dimension: data.shape[axis])
        }
        return [sliced(data, ranges: ranges)]
    }

    /// The elements `start, start+step, …` (`count` of them) along one axis.
    struct SliceRange {
        var start: Int
        var step: Int
        var count: Int

        init(start: Int, step: Int, count: Int) {
            self.start = start
            self.step = step
            self.count = count
        }

        /// ONNX/NumPy slice semantics: negative bounds count from the end, then clamp to the
        /// axis (`[0, dim]` for positive steps, `[-1, dim-1]` for negative ones).
        init(start rawStart: Int, end rawEnd: Int, step: Int, dimension: Int) throws(KernelError) {
            guard step != 0 else { throw .invalidArgument("Slice: step must not be 0") }
            let step = max(step, -Int.max) // so that -step cannot overflow
            var start = rawStart < 0 ? rawStart + dimension : rawStart
            var end = rawEnd < 0 ? rawEnd + dimension : rawEnd
            if step > 0 {
                start = min(max(start, 0), dimension)
                end = min(max(end, 0), dimension)
                count = end > start ? (end - start - 1) / step + 1 : 0
            } else {
                start = min(max(start, -1), dimension - 1)
                end = min(max(end, -1), dimension - 1)
                count = start > end ? (start - end - 1) / -step + 1 : 0
            }
            self.start = start
            self.step = step
        }
    }

    /// `data` restricted to `ranges`, one per axis.
    static func sliced(_ data: Tensor, ranges: [SliceRange]) -> Tensor {
        let strides = ShapeMath.strides(data.shape)
        let offsets = ranges.indices.map { axis in
            (0..<ranges[axis].count).map { (ranges[axis].start + $0 * ranges[axis].step) * strides[axis] }
        }
        return MovementCopy.mapped(data, shape: ranges.map(\.count), axisOffsets: offsets)
    }
}
