import SwitchyardTensor

/// A config tensor's `reshape` (Triton's meaning): clients send and receive the tensor with the
/// config's `dims`, the model computes on `reshape.shape`; both leave out the batch dimension
/// when the model batches. A -1 is resolved from the element count, so each side may have at
/// most one (the validator makes sure).
struct ConfigReshape: Sendable, Equatable {
    /// The shape clients see, -1 = variable.
    let clientDims: [Int64]
    /// The shape the model sees, -1 = variable.
    let modelDims: [Int64]
    /// Leading dimensions both sides keep: 1 (the batch) when the model batches, else 0.
    let leading: Int

    /// The reshape of a config input or output, or nil when it has none.
    init?(dims: [Int64], reshape: Inference_ModelTensorReshape?, batching: Bool) {
        guard let reshape else { return nil }
        clientDims = dims
        modelDims = reshape.shape
        leading = batching ? 1 : 0
    }

    /// The model's shape for a client tensor of shape `shape`, or nil when the element counts
    /// cannot agree.
    func toModel(_ shape: [Int]) -> [Int]? {
        Self.resolve(modelDims, keeping: shape, leading: leading)
    }

    /// The client's shape for a model output of shape `shape`.
    func toClient(_ shape: [Int]) -> [Int]? {
        Self.resolve(clientDims, keeping: shape, leading: leading)
    }

    private static func resolve(_ target: [Int64], keeping shape: [Int], leading: Int) -> [Int]? {
        guard shape.count >= leading else { return nil }
        let elements = shape.dropFirst(leading).reduce(1, *)
        let known = target.filter { $0 >= 0 }.reduce(1) { $0 * Int($1) }
        let variable = target.filter { $0 < 0 }.count
        var resolved = target.map(Int.init)
        switch variable {
        case 0:
            guard known == elements else { return nil }
        case 1:
            guard known > 0, elements % known == 0 else { return nil }
            resolved[resolved.firstIndex(of: -1)!] = elements / known
        default:
            return nil
        }
        return Array(shape.prefix(leading)) + resolved
    }

    /// Why `dims` and `reshape` can never agree, or nil when they can: at most one variable
    /// dimension on the side that is resolved, and fixed element counts that divide.
    static func incompatibility(dims: [Int64], reshape: [Int64]) -> String? {
        let dimsVariable = dims.contains(-1), reshapeVariable = reshape.filter { $0 == -1 }.count
        let dimsCount = dims.filter { $0 >= 0 }.reduce(1, *), reshapeCount = reshape.filter { $0 >= 0 }.reduce(1, *)
        let dimsText = describeDims(dims), reshapeText = describeDims(reshape)
        if reshapeVariable > 1 { return "reshape \(reshapeText) may have at most one -1" }
        if dims.filter({ $0 == -1 }).count > 1 && reshapeVariable > 0 {
            return "dims \(dimsText) may have at most one -1 when the reshape has one"
        }
        if dimsVariable != (reshapeVariable == 1) {
            return "dims \(dimsText) and reshape \(reshapeText) must both be variable (-1) or both fixed"
        }
        if !dimsVariable && dimsCount != reshapeCount {
            return "dims \(dimsText) hold \(dimsCount) elements but reshape \(reshapeText) holds \(reshapeCount)"
        }
        return nil
    }
}
