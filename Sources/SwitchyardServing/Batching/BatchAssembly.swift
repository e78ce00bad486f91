import SwitchyardTensor

/// Joins the inputs of a batch's requests along dim 0 and splits the outputs back, each
/// request getting the rows of its own items.
enum BatchAssembly {
    /// One engine input per name: the requests' tensors concatenated along dim 0 (a lone
    /// request's tensors are passed through without a copy).
    static func mergeInputs(of requests: [PendingRequest], names: [String]) -> [String: Tensor] {
        guard requests.count > 1 else { return requests.first?.inputs ?? [:] }
        var merged: [String: Tensor] = [:]
        for name in names {
            merged[name] = concatenate(requests.compactMap { $0.inputs[name] })
        }
        return merged
    }

    /// `tensors` joined along dim 0; all have the same type and the same trailing dims.
    static func concatenate(_ tensors: [Tensor]) -> Tensor {
        guard let first = tensors.first, tensors.count > 1 else { return tensors.first ?? Tensor(zeros: .float32, shape: [0]) }
        let rows = tensors.reduce(0) { $0 + $1.shape[0] }
        let shape = [rows] + first.shape.dropFirst()
        if first.dataType == .string {
            return Tensor(shape: shape, strings: tensors.flatMap(\.strings))
        }
        var joined = Tensor(uninitialized: first.dataType, shape: shape)
        joined.withUnsafeMutableBytes { destination in
            var offset = 0
            for tensor in tensors {
                tensor.withUnsafeBytes { source in
                    if source.count > 0 {
                        (destination.baseAddress! + offset).copyMemory(from: source.baseAddress!, byteCount: source.count)
                    }
                    offset += source.count
                }
            }
        }
        return joined
    }

    /// `output` cut along dim 0 into consecutive pieces of `rows` rows each.
    static func split(_ output: Tensor, rows: [Int], outputName: String, modelName: String) throws(ServingError) -> [Tensor] {
        guard rows.count > 1 else { return [output] }
        let total = rows.reduce(0, +)
        guard output.rank >= 1, output.shape[0] == total else {
            throw .internal("output '\(outputName)' of model '\(modelName)' has shape \(output.shape), which does not start with the batch size \(total); it cannot be split back per request (set max_batch_size 0 if the model does not batch along dim 0)")
        }
        let rowShape = Array(output.shape.dropFirst())
        let rowElements = rowShape.reduce(1, *)
        var pieces: [Tensor] = []
        pieces.reserveCapacity(rows.count)
        var start = 0
        if output.dataType == .string {
            let strings = output.strings
            for count in rows {
                pieces.append(Tensor(shape: [count] + rowShape, strings: Array(strings[start * rowElements ..< (start + count) * rowElements])))
                start += count
            }
            return pieces
        }
        let rowBytes = rowElements * output.dataType.byteSize
        output.withUnsafeBytes { source in
            for count in rows {
                let bytes = UnsafeRawBufferPointer(rebasing: source[start * rowBytes ..< (start + count) * rowBytes])
                pieces.append(Tensor(dataType: output.dataType, shape: [count] + rowShape, bytes: bytes))
                start += count
            }
        }
        return pieces
    }
}
