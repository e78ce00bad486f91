import SwitchyardTensor

/// ONNX `RotaryEmbedding` (opset 23): rotates the first `rotary_embedding_dim` features of each
/// head by position-dependent angles given as cos/sin caches.
///
/// The input is `[batch, heads, seq, head_size]` or `[batch, seq, heads · head_size]` (then
/// `num_heads` is required). With `position_ids` (`[batch, seq]`) the caches are tables
/// `[max_position, rotary_dim / 2]`; without, they are `[batch, seq, rotary_dim / 2]`. Pairs are
/// the two halves of the rotated block, or adjacent features when `interleaved` is 1.
enum RotaryEmbedding {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "RotaryEmbedding"
        let input = try context.input(0)
        let x = try FloatingValues.read(input, op: op, input: "X")
        let cosCache = try context.input(1), sinCache = try context.input(2)
        let cosValues = try FloatingValues.read(cosCache, op: op, input: "cos_cache")
        let sinValues = try FloatingValues.read(sinCache, op: op, input: "sin_cache")
        let positionIDs = context.optionalInput(3)
        let interleaved = try context.int("interleaved", default: 0) != 0

        let batch: Int, sequence: Int, heads: Int, headSize: Int
        let offset: (Int, Int, Int) -> Int   // (b, s, h) → offset of feature 0
        switch input.rank {
        case 4:
            (batch, heads, sequence, headSize) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
            offset = { b, s, h in ((b * heads + h) * sequence + s) * headSize }
        case 3:
            let numHeads = try context.int("num_heads", default: 0)
            guard numHeads > 0, input.shape[2] % numHeads == 0 else {
                throw .invalidArgument("\(op): a 3-D input needs num_heads > 0 dividing hidden size \(input.shape[2]), got \(numHeads)")
            }
            (batch, sequence, heads, headSize) = (input.shape[0], input.shape[1], numHeads, input.shape[2] / numHeads)
            offset = { b, s, h in ((b * sequence + s) * heads + h) * headSize }
        default:
            throw .invalidArgument("\(op): input must have rank 3 or 4, got shape \(input.shape)")
        }
        var rotaryDim = try context.int("rotary_embedding_dim", default: 0)
        if rotaryDim == 0 { rotaryDim = headSize }
        guard rotaryDim > 0, rotaryDim <= headSize, rotaryDim % 2 == 0 else {
            throw .invalidArgument("\(op): rotary_embedding_dim \(rotaryDim) must be even and at most head size \(headSize)")
        }
        let half = rotaryDim / 2
        guard cosCache.shape == sinCache.shape, cosCache.shape.last == half else {
            throw .invalidArgument("\(op): cos_cache \(cosCache.shape) and sin_cache \(sinCache.shape) must match and end in rotary_dim / 2 = \(half)")
        }

        // Row of the caches for (b, s).
        let cacheRow: (Int, Int) -> Int
        if let positionIDs {
            guard positionIDs.shape == [batch, sequence], cosCache.rank == 2 else {
                throw .invalidArgument("\(op): position_ids must be [\(batch), \(sequence)] with 2-D caches, got \(positionIDs.shape) and \(cosCache.shape)")
            }
            let positions = positionIDs.ints()
            if let bad = positions.first(where: { $0 < 0 || $0 >= cosCache.shape[0] }) {
                throw .invalidArgument("\(op): position id \(bad) is out of range for caches of \(cosCache.shape[0]) positions")
            }
            cacheRow = { b, s in positions[b * sequence + s] }
        } else {
            guard cosCache.shape == [batch, sequence, half] else {
                throw .invalidArgument("\(op): without position_ids the caches must be [\(batch), \(sequence), \(half)], got \(cosCache.shape)")
            }
            cacheRow = { b, s in b * sequence + s }
        }

        let type = input.dataType
        func round(_ value: Double) -> Double { FloatingValues.rounded(value, to: type) }
        var output = x
        for b in 0..<batch {
            for s in 0..<sequence {
                let row = cacheRow(b, s) * half
                for h in 0..<heads {
                    let base = offset(b, s, h)
                    for k in 0..<half {
                        let (first, second) = interleaved ? (base + 2 * k, base + 2 * k + 1) : (base + k, base + half + k)
                        let (cosine, sine) = (cosValues[row + k], sinValues[row + k])
                        let (x1, x2) = (x[first], x[second])
                        output[first] = round(cosine * x1) - round(sine * x2)
                        output[second] = round(sine * x1) + round(cosine * x2)
                    }
                }
            }
        }
        return [Tensor(dataType: type, shape: input.shape, doubles: output)]
    }
}
