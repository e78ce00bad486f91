import SwitchyardTensor

extension MovementOps {
    /// ReverseSequence: reverses the first `sequence_lens[b]` steps of each batch entry `b`
    /// along the time axis; `batch_axis` and `time_axis` are 0 and 1 in either order.
    static func reverseSequence(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let lengths = try context.input(1).ints()
        let batchAxis = try context.int("batch_axis", default: 1)
        let timeAxis = try context.int("time_axis", default: 0)
        guard data.rank >= 2, Set([batchAxis, timeAxis]) == [0, 1] else {
            throw .invalidArgument("ReverseSequence: batch_axis \(batchAxis) and time_axis \(timeAxis) must be 0 and 1 in some order, for input of shape \(data.shape)")
        }
        let batch = data.shape[batchAxis], time = data.shape[timeAxis]
        guard lengths.count == batch else {
            throw .invalidArgument("ReverseSequence: sequence_lens has \(lengths.count) entries for batch size \(batch)")
        }
        for length in lengths where length < 0 || length > time {
            throw .invalidArgument("ReverseSequence: sequence length \(length) is out of range for time axis of size \(time)")
        }
        let inner = data.shape[2...].reduce(1, *)
        let strides = ShapeMath.strides(Array(data.shape[..<2]))
        let batchStride = strides[batchAxis] * inner, timeStride = strides[timeAxis] * inner
        return [MovementCopy.build(from: data, shape: data.shape, writesEveryElement: true) { copier in
            for b in 0..<batch {
                for t in 0..<time {
                    let source = t < lengths[b] ? lengths[b] - 1 - t : t
                    copier.copy(from: b * batchStride + source * timeStride, to: b * batchStride + t * timeStride, count: inner)
                }
            }
        }]
    }
}
