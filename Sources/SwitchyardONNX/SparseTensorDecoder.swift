import SwitchyardTensor

/// Turns a `SparseTensorProto` (coordinate form) into a dense `Tensor`: zeros everywhere but
/// at the listed indices. The engine runs dense tensors only.
extension TensorDecoder {
    /// Sparse tensors are expanded in memory; a file could declare any dims, so the dense size
    /// is capped rather than left to fail allocation.
    static let maximumDenseBytes = 16 << 30

    func denseTensor(_ proto: Onnx_SparseTensorProto, what: String? = nil) throws(ONNXError) -> Tensor {
        let what = what ?? "sparse tensor '\(proto.values.name)'"
        guard proto.hasValues else { throw .invalidModel("\(what) has no values") }
        let values = try tensor(proto.values, what: "values of \(what)")
        let shape = try Self.shape(proto.dims, of: what)
        let count = try Self.elementCount(shape, of: what)
        let denseBytes = try Self.byteCount(count, values.dataType, of: what)
        guard denseBytes <= Self.maximumDenseBytes else {
            throw .unsupported("\(what) has dims \(shape): \(denseBytes) bytes once dense, more than the \(Self.maximumDenseBytes >> 30) GiB Switchyard expands a sparse tensor to")
        }
        let nonZeros = values.count
        guard values.rank == 1 else {
            throw .invalidModel("\(what): values must be 1-D [NNZ], got shape \(values.shape)")
        }
        let positions: [Int]
        if nonZeros == 0 {
            positions = []
        } else {
            guard proto.hasIndices else { throw .invalidModel("\(what) has \(nonZeros) values but no indices") }
            let indices = try tensor(proto.indices, what: "indices of \(what)")
            guard indices.dataType.isInteger else {
                throw .invalidModel("\(what): indices must be integers, got \(indices.dataType)")
            }
            positions = try Self.linearPositions(indices.ints(), indexShape: indices.shape, dims: shape,
                                                 nonZeros: nonZeros, of: what)
        }
        if values.dataType == .string {
            var strings = Array(repeating: "", count: count)
            for (value, position) in zip(values.strings, positions) { strings[position] = value }
            return Tensor(shape: shape, strings: strings)
        }
        var dense = Tensor(zeros: values.dataType, shape: shape)
        let size = values.dataType.byteSize
        values.withUnsafeBytes { source in
            dense.withUnsafeMutableBytes { target in
                for (k, position) in positions.enumerated() {
                    target.baseAddress!.advanced(by: position * size)
                        .copyMemory(from: source.baseAddress!.advanced(by: k * size), byteCount: size)
                }
            }
        }
        return dense
    }

    /// Linear positions from ONNX's two index layouts: `[NNZ]` linear indices or `[NNZ, rank]`
    /// coordinates. Every position is checked against `dims`.
    private static func linearPositions(
        _ indices: [Int], indexShape: [Int], dims: [Int], nonZeros: Int, of what: String
    ) throws(ONNXError) -> [Int] {
        let count = dims.reduce(1, *)
        if indexShape == [nonZeros] {
            for index in indices where index < 0 || index >= count {
                throw .invalidModel("\(what): linear index \(index) is outside dims \(dims)")
            }
            return indices
        }
        guard indexShape == [nonZeros, dims.count] else {
            throw .invalidModel("\(what): indices must have shape [\(nonZeros)] or [\(nonZeros), \(dims.count)], got \(indexShape)")
        }
        var positions: [Int] = []
        positions.reserveCapacity(nonZeros)
        for k in 0..<nonZeros {
            var position = 0
            for axis in 0..<dims.count {
                let index = indices[k * dims.count + axis]
                guard index >= 0 && index < dims[axis] else {
                    throw .invalidModel("\(what): index \(index) on axis \(axis) is outside dims \(dims)")
                }
                position = position * dims[axis] + index
            }
            positions.append(position)
        }
        return positions
    }
}
