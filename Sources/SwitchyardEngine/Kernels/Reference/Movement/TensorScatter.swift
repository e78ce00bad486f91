import SwitchyardTensor

extension IndexingOps {
    /// TensorScatter (KV-cache update): a copy of `past_cache` with `update` written along
    /// `axis` (default -2, never the batch axis) from `write_indices[b]` on for each batch
    /// entry `b` (0 when absent); `circular` mode wraps past the end, `linear` must fit.
    static func tensorScatter(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let cache = try context.input(0), update = try context.input(1)
        let axis = try MovementOps.resolvedAxis(try context.int("axis", default: -2), rank: cache.rank, op: "TensorScatter")
        let mode = try context.string("mode", default: "linear")
        guard mode == "linear" || mode == "circular" else {
            throw .invalidArgument("TensorScatter: mode '\(mode)' is not linear or circular")
        }
        guard axis > 0, update.rank == cache.rank, update.dataType == cache.dataType,
              cache.shape.indices.allSatisfy({ $0 == axis ? update.shape[$0] <= cache.shape[$0] : update.shape[$0] == cache.shape[$0] }) else {
            throw .invalidArgument("TensorScatter: update \(update.dataType) \(update.shape) does not fit cache \(cache.dataType) \(cache.shape) along axis \(axis) (which must not be 0)")
        }
        let batch = cache.shape[0]
        let writeIndices = context.optionalInput(2)?.ints() ?? [Int](repeating: 0, count: batch)
        guard writeIndices.count == batch else {
            throw .invalidArgument("TensorScatter: write_indices has \(writeIndices.count) entries for batch size \(batch)")
        }
        let capacity = cache.shape[axis], length = update.shape[axis]
        for start in writeIndices where start < 0 || (mode == "linear" && start + length > capacity) {
            throw .invalidArgument("TensorScatter: write index \(start) with \(length) new entries does not fit axis \(axis) of size \(capacity)")
        }
        let inner = cache.shape[(axis + 1)...].reduce(1, *)
        let prefixes = cache.shape[..<axis].reduce(1, *)
        let prefixesPerBatch = prefixes / max(batch, 1)
        let output = MovementCopy.build(from: [cache, update], shape: cache.shape, writesEveryElement: true) { copiers in
            copiers[0].copy(from: 0, to: 0, count: cache.count)
            for prefix in 0..<prefixes {
                let start = writeIndices[prefix / max(prefixesPerBatch, 1)]
                for step in 0..<length {
                    let position = mode == "circular" ? (start + step) % capacity : start + step
                    copiers[1].copy(from: (prefix * length + step) * inner, to: (prefix * capacity + position) * inner, count: inner)
                }
            }
        }
        return [output]
    }
}
