import Foundation
import SwitchyardTensor

/// ONNX `Attention` (opsets 23–25): scaled dot-product attention with optional mask, causal
/// and sliding-window masking, key/value cache, grouped-query heads and softcap.
///
/// Inputs Q, K, V are `[batch, heads, seq, head_size]`, or `[batch, seq, heads · head_size]`
/// with `q_num_heads` / `kv_num_heads`. Outputs: Y (Q's layout), present_key, present_value
/// (`[batch, kv_heads, past + kv_seq, head_size]`) and the QK product selected by
/// `qk_matmul_output_mode` (0/1: scaled QK after softcap, 2: plus bias, 3: softmax).
///
/// Computed in double and rounded to the input type where the ONNX reference (which runs in
/// the input type) rounds: the square-rooted scale, the scaled Q and K, QK, the softcap, the
/// biased logits, the softmax (in `softmax_precision` if given) and Y.
enum Attention {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "Attention"
        let q = try context.input(0), k = try context.input(1), v = try context.input(2)
        let type = q.dataType
        guard type.isFloatingPoint else {
            throw .unsupported("\(op): Q has type \(type); expected float, double, float16 or bfloat16")
        }
        guard k.dataType == type, v.dataType == type else {
            throw .invalidArgument("\(op): Q, K and V must share one type, got \(type), \(k.dataType), \(v.dataType)")
        }
        let qHeads = try context.int("q_num_heads"), kvHeads = try context.int("kv_num_heads")
        let query = try AttentionHeadLayout(q, heads: qHeads, name: "Q")
        let key = try AttentionHeadLayout(k, heads: kvHeads, name: "K")
        let value = try AttentionHeadLayout(v, heads: kvHeads, name: "V")
        guard q.rank == k.rank, k.rank == v.rank else {
            throw .invalidArgument("\(op): Q \(q.shape), K \(k.shape) and V \(v.shape) must have the same rank")
        }
        let batch = query.batch
        guard key.batch == batch, value.batch == batch, key.heads == value.heads,
              key.sequence == value.sequence, query.headSize == key.headSize else {
            throw .invalidArgument("\(op): K \(k.shape) and V \(v.shape) do not fit Q \(q.shape)")
        }
        guard query.heads % key.heads == 0 else {
            throw .invalidArgument("\(op): \(query.heads) query heads are not a multiple of \(key.heads) key/value heads")
        }

        let pastKey = context.optionalInput(4), pastValue = context.optionalInput(5)
        let nonPad = context.optionalInput(6)
        guard (pastKey == nil) == (pastValue == nil) else {
            throw .invalidArgument("\(op): past_key and past_value must be given together")
        }
        guard nonPad == nil || pastKey == nil else {
            throw .invalidArgument("\(op): nonpad_kv_seqlen cannot be combined with past_key/past_value")
        }
        let presentKey = try concatenatePast(pastKey, key.headMajor(), layout: key, name: "past_key")
        let presentValue = try concatenatePast(pastValue, value.headMajor(), layout: value, name: "past_value")
        let pastLength = pastKey?.shape[2] ?? 0
        let keys = pastLength + key.sequence
        let queries = query.sequence

        var nonPadLengths: [Int]?
        var offsets = [Int](repeating: pastLength, count: batch)
        if let nonPad {
            guard nonPad.shape == [batch], !nonPad.dataType.isFloatingPoint else {
                throw .invalidArgument("\(op): nonpad_kv_seqlen must be an integer tensor of shape [\(batch)], got \(nonPad.dataType) \(nonPad.shape)")
            }
            nonPadLengths = nonPad.ints()
            offsets = nonPad.ints().map { $0 - queries }
        }
        let bias = try AttentionBias(
            batch: batch, heads: query.heads, queries: queries, keys: keys, mask: context.optionalInput(3),
            isCausal: try context.int("is_causal", default: 0) != 0,
            leftWindow: try context.int("left_window_size", default: -1),
            rightWindow: try context.int("right_window_size", default: -1),
            offsets: offsets, nonPadLengths: nonPadLengths, type: type)

        let scale = Double(try context.float("scale") ?? Float(1 / Double(query.headSize).squareRoot()))
        let sqrtScale = FloatingValues.rounded(scale.squareRoot(), to: type)
        let scaledQ = FloatingValues.rounded(query.headMajor().map { $0 * sqrtScale }, to: type)
        let scaledK = FloatingValues.rounded(presentKey.map { $0 * sqrtScale }, to: type)

        let softcap = Double(try context.float("softcap", default: 0))
        let mode = try context.int("qk_matmul_output_mode", default: 0)
        guard (0...3).contains(mode) else {
            throw .invalidArgument("\(op): qk_matmul_output_mode must be 0, 1, 2 or 3, got \(mode)")
        }
        var softmaxType = type
        if let code = try context.int("softmax_precision") {
            guard let precision = DataType(rawValue: Int32(clamping: code)), precision.isFloatingPoint else {
                throw .invalidArgument("\(op): softmax_precision \(code) is not a floating-point type code")
            }
            softmaxType = precision
        }

        let dims = Dimensions(heads: query.heads, kvHeads: key.heads, queries: queries, keys: keys,
                              headSize: query.headSize, valueSize: value.headSize)
        var logits = product(scaledQ, scaledK, batch: batch, dims, type: type)
        if softcap > 0 {
            logits = logits.map { FloatingValues.rounded(FloatingValues.rounded(tanh($0 / softcap), to: type) * softcap, to: type) }
        }
        let biased = FloatingValues.rounded(zip(logits, bias.values).map { $0 + $1 }, to: type)
        var probabilities = FloatingValues.rounded(biased, to: softmaxType)
        for row in 0..<(batch * query.heads * queries) {
            softmax(&probabilities, row: row, length: keys, zeroed: bias.isFullyMasked(row: row), type: softmaxType)
        }
        probabilities = FloatingValues.rounded(probabilities, to: type)

        let output = weightedValues(probabilities, presentValue, batch: batch, dims, type: type)
        let qkOutput = switch mode {
        case 2: biased
        case 3: probabilities
        default: logits
        }
        let presentShape = { (size: Int) in [batch, key.heads, keys, size] }
        return Array([
            Tensor(dataType: type, shape: query.outputShape(valueSize: value.headSize),
                   doubles: query.fromHeadMajor(output, headSize: value.headSize)),
            Tensor(dataType: type, shape: presentShape(key.headSize), doubles: presentKey),
            Tensor(dataType: type, shape: presentShape(value.headSize), doubles: presentValue),
            Tensor(dataType: type, shape: [batch, query.heads, queries, keys], doubles: qkOutput),
        ].prefix(max(1, context.node.outputs.count)))
    }

    struct Dimensions {
        let heads: Int, kvHeads: Int, queries: Int, keys: Int, headSize: Int, valueSize: Int
        /// The key/value head that query head `h` reads (grouped-query attention repeats each
        /// key/value head for `heads / kvHeads` consecutive query heads).
        func kvHead(_ h: Int) -> Int { h / (heads / kvHeads) }
    }

    /// `Q · Kᵀ` per (batch, head), `[batch, heads, queries, keys]`, rounded to `type`.
    static func product(_ q: [Double], _ k: [Double], batch: Int, _ d: Dimensions, type: DataType) -> [Double] {
        var result = [Double](repeating: 0, count: batch * d.heads * d.queries * d.keys)
        guard d.queries > 0, d.keys > 0 else { return result }
        q.withUnsafeBufferPointer { qBuffer in
            k.withUnsafeBufferPointer { kBuffer in
                result.withUnsafeMutableBufferPointer { out in
                    for b in 0..<batch {
                        for h in 0..<d.heads {
                            Double.referenceGEMM(GEMMProblem(
                                m: d.queries, n: d.keys, k: d.headSize,
                                a: qBuffer.baseAddress! + (b * d.heads + h) * d.queries * d.headSize, lda: d.headSize, transposeA: false,
                                b: kBuffer.baseAddress! + (b * d.kvHeads + d.kvHead(h)) * d.keys * d.headSize, ldb: d.headSize, transposeB: true,
                                c: out.baseAddress! + (b * d.heads + h) * d.queries * d.keys, ldc: d.keys, alpha: 1, beta: 0))
                        }
                    }
                }
            }
        }
        return FloatingValues.rounded(result, to: type)
    }

    /// `P · V` per (batch, head), `[batch, heads, queries, valueSize]`, rounded to `type`.
    static func weightedValues(_ p: [Double], _ v: [Double], batch: Int, _ d: Dimensions, type: DataType) -> [Double] {
        var result = [Double](repeating: 0, count: batch * d.heads * d.queries * d.valueSize)
        guard d.queries > 0, d.valueSize > 0 else { return result }
        if d.keys == 0 { return result }
        p.withUnsafeBufferPointer { pBuffer in
            v.withUnsafeBufferPointer { vBuffer in
                result.withUnsafeMutableBufferPointer { out in
                    for b in 0..<batch {
                        for h in 0..<d.heads {
                            Double.referenceGEMM(GEMMProblem(
                                m: d.queries, n: d.valueSize, k: d.keys,
                                a: pBuffer.baseAddress! + (b * d.heads + h) * d.queries * d.keys, lda: d.keys, transposeA: false,
                                b: vBuffer.baseAddress! + (b * d.kvHeads + d.kvHead(h)) * d.keys * d.valueSize, ldb: d.valueSize, transposeB: false,
                                c: out.baseAddress! + (b * d.heads + h) * d.queries * d.valueSize, ldc: d.valueSize, alpha: 1, beta: 0))
                        }
                    }
                }
            }
        }
        return FloatingValues.rounded(result, to: type)
    }

    /// Softmax of one row in place, rounding as NumPy does in `type`: the shifted logits, their
    /// exponentials, the sum (accumulated wide for float16, rounded at every addition for
    /// bfloat16, whose NumPy extension type reduces in its own precision) and the quotients.
    /// A row whose maximum is -inf uses 0 as its shift and a zero sum becomes 1 (so no NaN
    /// arises); a row whose bias masks every key is all zeros.
    private static func softmax(_ values: inout [Double], row: Int, length: Int, zeroed: Bool, type: DataType) {
        let range = (row * length)..<((row + 1) * length)
        if zeroed {
            for index in range { values[index] = 0 }
            return
        }
        func round(_ value: Double) -> Double { FloatingValues.rounded(value, to: type) }
        var maximum = -Double.infinity
        for index in range where values[index] > maximum || values[index].isNaN { maximum = values[index] }
        if maximum == -.infinity { maximum = 0 }
        var sum = 0.0
        for index in range {
            values[index] = round(exp(round(values[index] - maximum)))
            sum += values[index]
            if type == .bfloat16 { sum = round(sum) }
        }
        sum = round(sum)
        if sum == 0 { sum = 1 }
        for index in range { values[index] = round(values[index] / sum) }
    }

    /// `past` (`[batch, kv_heads, past_len, size]`) followed by the new keys or values along
    /// the sequence axis.
    private static func concatenatePast(_ past: Tensor?, _ current: [Double], layout: AttentionHeadLayout, name: String) throws(KernelError) -> [Double] {
        guard let past else { return current }
        guard past.rank == 4, past.shape[0] == layout.batch, past.shape[1] == layout.heads, past.shape[3] == layout.headSize,
              past.dataType.isFloatingPoint else {
            throw .invalidArgument("Attention: \(name) must be [\(layout.batch), \(layout.heads), past_len, \(layout.headSize)], got \(past.shape)")
        }
        let pastValues = past.doubles()
        let (pastLength, newLength, size) = (past.shape[2], layout.sequence, layout.headSize)
        var result: [Double] = []
        result.reserveCapacity(pastValues.count + current.count)
        for matrix in 0..<(layout.batch * layout.heads) {
            result += pastValues[(matrix * pastLength * size)..<((matrix + 1) * pastLength * size)]
            result += current[(matrix * newLength * size)..<((matrix + 1) * newLength * size)]
        }
        return result
    }
}
