import SwitchyardTensor

/// The additive bias of `Attention`, `[batch, q_heads, q_len, kv_len]` flattened: the attention
/// mask (padded with "masked" up to kv_len, boolean masks mapped to 0 / -inf), the causal and
/// sliding-window constraints and the non-padding key lengths, summed as the ONNX reference does.
struct AttentionBias {
    let batch: Int, heads: Int, queries: Int, keys: Int
    private(set) var values: [Double]

    /// `offsets[b]` is the number of valid keys that precede query 0 of batch `b`: the past
    /// length with an internal cache, `nonpad_kv_seqlen[b] - q_len` with an external one, else 0.
    init(
        batch: Int, heads: Int, queries: Int, keys: Int, mask: Tensor?, isCausal: Bool,
        leftWindow: Int, rightWindow: Int, offsets: [Int], nonPadLengths: [Int]?, type: DataType
    ) throws(KernelError) {
        (self.batch, self.heads, self.queries, self.keys) = (batch, heads, queries, keys)
        let fullShape = [batch, heads, queries, keys]
        values = [Double](repeating: 0, count: fullShape.reduce(1, *))
        if let mask { try addMask(mask, type: type) }
        for b in 0..<batch {
            for i in 0..<queries {
                for j in 0..<keys {
                    let diff = i + offsets[b] - j
                    var allowed = !isCausal || diff >= 0
                    if leftWindow >= 0 && diff > leftWindow { allowed = false }
                    if rightWindow >= 0 && -diff > rightWindow { allowed = false }
                    if let nonPadLengths, j >= nonPadLengths[b] { allowed = false }
                    if !allowed { addToAllHeads(b: b, i: i, j: j, -.infinity) }
                }
            }
        }
    }

    private mutating func addToAllHeads(b: Int, i: Int, j: Int, _ value: Double) {
        for h in 0..<heads { values[((b * heads + h) * queries + i) * keys + j] += value }
    }

    /// Adds a mask broadcast (right-aligned) to `[batch, heads, q_len, kv_len]`; a mask shorter
    /// than kv_len in its last axis masks the keys beyond it.
    private mutating func addMask(_ mask: Tensor, type: DataType) throws(KernelError) {
        let op = "Attention"
        guard mask.rank >= 1, mask.rank <= 4, mask.dataType == .bool || mask.dataType.isFloatingPoint else {
            throw .invalidArgument("\(op): attn_mask must be a bool or floating tensor of rank 1 to 4, got \(mask.dataType) \(mask.shape)")
        }
        let maskKeys = mask.shape[mask.rank - 1]
        guard maskKeys <= keys else {
            throw .invalidArgument("\(op): attn_mask has \(maskKeys) keys but there are only \(keys)")
        }
        let isBool = mask.dataType == .bool
        let raw = mask.doubles().map { isBool ? ($0 != 0 ? 0 : -Double.infinity) : $0 }
        let padded = [Int](repeating: 1, count: 4 - mask.rank) + mask.shape
        let target = [batch, heads, queries, keys]
        for axis in 0..<3 where padded[axis] != 1 && padded[axis] != target[axis] {
            throw .invalidArgument("\(op): attn_mask of shape \(mask.shape) does not broadcast to \(target)")
        }
        let strides = ShapeMath.strides(padded)
        let step = (0..<3).map { padded[$0] == 1 ? 0 : strides[$0] }
        for b in 0..<batch {
            for h in 0..<heads {
                for i in 0..<queries {
                    let maskBase = b * step[0] + h * step[1] + i * step[2]
                    let base = ((b * heads + h) * queries + i) * keys
                    for j in 0..<keys {
                        values[base + j] += j < maskKeys ? raw[maskBase + j] : -.infinity
                    }
                }
            }
        }
        if type != .float64 { values = FloatingValues.rounded(values, to: type) }
    }

    /// True when every key of row `(b, h, i)` is masked: the row's probabilities are zero.
    func isFullyMasked(row: Int) -> Bool {
        let base = row * keys
        return (0..<keys).allSatisfy { values[base + $0] == -.infinity }
    }
}
