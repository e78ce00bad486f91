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
            merged[name] = Tensor.concatenatingRows(requests.compactMap { $0.inputs[name] })
        }
        return merged
    }

    /// `output` cut along dim 0 into consecutive pieces of `rows` rows each (a lone request's
    /// output is passed through unchecked: a model without batching need not batch along dim 0).
    static func split(_ output: Tensor, rows: [Int], outputName: String, modelName: String) throws(ServingError) -> [Tensor] {
        guard rows.count > 1 else { return [output] }
        guard let pieces = output.splittingRows(rows) else {
            throw .internal("output '\(outputName)' of model '\(modelName)' has shape \(output.shape), which does not start with the batch size \(rows.reduce(0, +)); it cannot be split back per request (set max_batch_size 0 if the model does not batch along dim 0)")
        }
        return pieces
    }
}
