import SwitchyardTensor

/// How `Attention` reads Q, K or V: a 4-D `[batch, heads, seq, head_size]` tensor as is, a
/// 3-D `[batch, seq, heads · head_size]` one split into heads. `headMajor` gives the values in
/// the 4-D layout; `fromHeadMajor` turns a 4-D result back into the input's layout.
struct AttentionHeadLayout {
    let batch: Int, heads: Int, sequence: Int, headSize: Int
    let isPacked: Bool
    private let values: [Double]

    init(_ tensor: Tensor, heads declaredHeads: Int?, name: String) throws(KernelError) {
        let op = "Attention"
        values = tensor.doubles()
        switch tensor.rank {
        case 4:
            (batch, heads, sequence, headSize) = (tensor.shape[0], tensor.shape[1], tensor.shape[2], tensor.shape[3])
            isPacked = false
        case 3:
            guard let declaredHeads, declaredHeads > 0, tensor.shape[2] % declaredHeads == 0 else {
                throw .invalidArgument("\(op): 3-D \(name) \(tensor.shape) needs q_num_heads and kv_num_heads (> 0) dividing its hidden size")
            }
            (batch, sequence, heads, headSize) = (tensor.shape[0], tensor.shape[1], declaredHeads, tensor.shape[2] / declaredHeads)
            isPacked = true
        default:
            throw .invalidArgument("\(op): \(name) must have rank 3 or 4, got shape \(tensor.shape)")
        }
    }

    /// The values as `[batch, heads, seq, head_size]`.
    func headMajor() -> [Double] {
        isPacked ? Self.swapMiddleAxes(values, batch, sequence, heads, headSize) : values
    }

    /// The shape of the output Y for values of `valueSize` per head.
    func outputShape(valueSize: Int) -> [Int] {
        isPacked ? [batch, sequence, heads * valueSize] : [batch, heads, sequence, valueSize]
    }

    /// A `[batch, heads, seq, headSize]` result in this input's layout.
    func fromHeadMajor(_ result: [Double], headSize size: Int) -> [Double] {
        isPacked ? Self.swapMiddleAxes(result, batch, heads, sequence, size) : result
    }

    /// `[a, b, c, d]` → `[a, c, b, d]`.
    private static func swapMiddleAxes(_ x: [Double], _ a: Int, _ b: Int, _ c: Int, _ d: Int) -> [Double] {
        var result = [Double](repeating: 0, count: x.count)
        for i in 0..<a {
            for j in 0..<b {
                for k in 0..<c {
                    let source = ((i * b + j) * c + k) * d, target = ((i * c + k) * b + j) * d
                    for l in 0..<d { result[target + l] = x[source + l] }
                }
            }
        }
        return result
    }
}
