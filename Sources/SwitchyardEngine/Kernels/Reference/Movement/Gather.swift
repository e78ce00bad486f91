import SwitchyardTensor

extension IndexingOps {
    /// Gather: entries of `data` along `axis` picked by `indices` (any shape; negative wraps).
    /// Output shape `data[..<axis] + indices.shape + data[axis+1...]`; each picked slice is
    /// one contiguous block.
    static func gather(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let indices = try context.input(1)
        let axis = try MovementOps.resolvedAxis(try context.int("axis", default: 0), rank: data.rank, op: "Gather")
        let dimension = data.shape[axis]
        var positions: [Int] = []
        positions.reserveCapacity(indices.count)
        for index in indices.ints() {
            positions.append(try resolvedIndex(index, bound: dimension, op: "Gather", axis: axis))
        }
        let gathered = MovementCopy.picking(data, axis: axis, positions: positions)
        return [gathered.reshaped(Array(data.shape[..<axis]) + indices.shape + Array(data.shape[(axis + 1)...]))]
    }

    /// GatherElements: `output[i][j][k] = data[index][j][k]` (for axis 0, and so on), where
    /// `index = indices[i][j][k]`; the output has the indices' shape.
    static func gatherElements(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let indices = try context.input(1)
        let axis = try MovementOps.resolvedAxis(try context.int("axis", default: 0), rank: data.rank, op: "GatherElements")
        let sourceOffsets = try elementOffsets(
            indices: indices, axis: axis, target: data.shape, op: "GatherElements")
        return [MovementCopy.gathered(from: data, shape: indices.shape, sourceIndices: sourceOffsets)]
    }

    /// For each element of `indices` (same rank as `target`, no larger on any axis but `axis`),
    /// the offset in a tensor of shape `target` at that element's coordinate with the `axis`
    /// coordinate replaced by the index value. Shared by GatherElements and ScatterElements.
    static func elementOffsets(indices: Tensor, axis: Int, target: [Int], op: String) throws(KernelError) -> [Int] {
        guard indices.rank == target.count,
              indices.shape.indices.allSatisfy({ $0 == axis || indices.shape[$0] <= target[$0] }) else {
            throw .invalidArgument("\(op): indices shape \(indices.shape) does not fit data shape \(target) outside axis \(axis)")
        }
        let targetStrides = ShapeMath.strides(target)
        let values = indices.ints()
        var offsets = [Int](repeating: 0, count: values.count)
        var coordinate = [Int](repeating: 0, count: indices.rank)
        var base = 0 // offset of `coordinate` in the target, without the axis term
        for linear in 0..<values.count {
            let index = try resolvedIndex(values[linear], bound: target[axis], op: op, axis: axis)
            offsets[linear] = base + index * targetStrides[axis]
            var dimension = indices.rank - 1
            while dimension >= 0 {
                coordinate[dimension] += 1
                if dimension != axis { base += targetStrides[dimension] }
                if coordinate[dimension] < indices.shape[dimension] { break }
                if dimension != axis { base -= targetStrides[dimension] * coordinate[dimension] }
                coordinate[dimension] = 0
                dimension -= 1
            }
        }
        return offsets
    }

    /// GatherND: slices of `data` addressed by the last axis of `indices`, after `batch_dims`
    /// leading axes that data and indices share.
    static func gatherND(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let indices = try context.input(1)
        let batchDims = try context.int("batch_dims", default: 0)
        let plan = try NDIndexPlan(data: data.shape, indices: indices, batchDims: batchDims, op: "GatherND")
        let shape = Array(indices.shape.dropLast()) + Array(data.shape[(batchDims + plan.depth)...])
        return [MovementCopy.build(from: data, shape: shape, writesEveryElement: true) { copier in
            for (slice, offset) in plan.sliceOffsets.enumerated() {
                copier.copy(from: offset, to: slice * plan.sliceSize, count: plan.sliceSize)
            }
        }]
    }

    /// The slices that GatherND reads and ScatterND writes: for each index tuple, in order,
    /// the element offset of its slice in the data.
    struct NDIndexPlan {
        /// Number of data axes each index tuple addresses.
        let depth: Int
        /// Elements per slice.
        let sliceSize: Int
        let sliceOffsets: [Int]

        init(data: [Int], indices: Tensor, batchDims: Int, op: String) throws(KernelError) {
            guard let depth = indices.shape.last, indices.rank >= 1 else {
                throw .invalidArgument("\(op): indices must have rank >= 1")
            }
            guard batchDims >= 0, batchDims < indices.rank, batchDims + depth <= data.count,
                  Array(data[..<batchDims]) == Array(indices.shape[..<batchDims]) else {
                throw .invalidArgument("\(op): indices shape \(indices.shape) with batch_dims \(batchDims) does not address data of shape \(data)")
            }
            self.depth = depth
            let strides = ShapeMath.strides(data)
            sliceSize = data[(batchDims + depth)...].reduce(1, *)
            let batchCount = data[..<batchDims].reduce(1, *)
            let batchStride = batchDims == 0 ? 0 : strides[batchDims - 1]
            let tuples = indices.shape.dropLast().reduce(1, *)
            let tuplesPerBatch = tuples / max(batchCount, 1)
            let values = indices.ints()
            var offsets: [Int] = []
            offsets.reserveCapacity(tuples)
            for tuple in 0..<tuples {
                var offset = (tuple / max(tuplesPerBatch, 1)) * batchStride
                for k in 0..<depth {
                    let axis = batchDims + k
                    offset += try resolvedIndex(values[tuple * depth + k], bound: data[axis], op: op, axis: axis) * strides[axis]
                }
                offsets.append(offset)
            }
            sliceOffsets = offsets
        }
    }
}
