import Foundation
import SwitchyardTensor

/// ONNX `FlexAttention` (domain `ai.onnx.preview`, opset 1): attention on 4-D Q, K, V with
/// grouped-query heads, whose scores and probabilities may be rewritten by the subgraphs
/// `score_mod` and `prob_mod` (each maps one `[B, H, L, S]` tensor to another).
///
/// As in the reference, the scaled product is rounded to Q's type, then the softmax, the
/// modifiers and the product with V run in the compute type (`softmax_precision`, else float
/// for the 16-bit types and Q's type otherwise), and Y is rounded to V's type.
enum FlexAttention {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = "FlexAttention"
        let q = try context.input(0), k = try context.input(1), v = try context.input(2)
        guard q.rank == 4, k.rank == 4, v.rank == 4 else {
            throw KernelError.invalidArgument("\(op): Q, K and V must have rank 4, got \(q.shape), \(k.shape), \(v.shape)")
        }
        let type = q.dataType
        let (batch, heads, queries, headSize) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let (kvHeads, keys, valueSize) = (k.shape[1], k.shape[2], v.shape[3])
        guard k.shape[0] == batch, v.shape[0] == batch, v.shape[1] == kvHeads, v.shape[2] == keys, k.shape[3] == headSize,
              kvHeads > 0, heads % kvHeads == 0 else {
            throw KernelError.invalidArgument("\(op): K \(k.shape) and V \(v.shape) do not fit Q \(q.shape) (query heads must be a multiple of key/value heads)")
        }
        let queryValues = try FloatingValues.read(q, op: op, input: "Q")
        let keyValues = try FloatingValues.read(k, op: op, input: "K")
        let valueValues = try FloatingValues.read(v, op: op, input: "V")

        var computeType: DataType = type == .float64 ? .float64 : .float32
        if let code = try context.int("softmax_precision") {
            guard let precision = DataType(rawValue: Int32(clamping: code)), precision.isFloatingPoint else {
                throw KernelError.invalidArgument("\(op): softmax_precision \(code) is not a floating-point type code")
            }
            computeType = precision
        }
        let scale = try context.float("scale") ?? Float(1 / Double(headSize).squareRoot())
        let sqrtScale = FloatingValues.rounded(Double(scale.squareRoot()), to: type)
        let dims = Attention.Dimensions(heads: heads, kvHeads: kvHeads, queries: queries, keys: keys,
                                        headSize: headSize, valueSize: valueSize)
        let scaledQ = FloatingValues.rounded(queryValues.map { $0 * sqrtScale }, to: type)
        let scaledK = FloatingValues.rounded(keyValues.map { $0 * sqrtScale }, to: type)
        var scores = Attention.product(scaledQ, scaledK, batch: batch, dims, type: type)
        let scoreShape = [batch, heads, queries, keys]
        if context.hasAttribute("score_mod") {
            scores = try modified(scores, shape: scoreShape, type: computeType, attribute: "score_mod", context)
        }
        var probabilities = FloatingValues.rounded(scores, to: computeType)
        for row in 0..<(batch * heads * queries) {
            let range = (row * keys)..<((row + 1) * keys)
            let maximum = probabilities[range].max() ?? 0
            var sum = 0.0
            for index in range {
                probabilities[index] = FloatingValues.rounded(exp(probabilities[index] - maximum), to: computeType)
                sum += probabilities[index]
            }
            for index in range { probabilities[index] = FloatingValues.rounded(probabilities[index] / sum, to: computeType) }
        }
        if context.hasAttribute("prob_mod") {
            probabilities = try modified(probabilities, shape: scoreShape, type: computeType, attribute: "prob_mod", context)
        }
        let output = Attention.weightedValues(probabilities, FloatingValues.rounded(valueValues, to: computeType),
                                              batch: batch, dims, type: computeType)
        return [Tensor(dataType: v.dataType, shape: [batch, heads, queries, valueSize], doubles: output)]
    }

    /// Runs the modifier subgraph `attribute` on `values` and checks it kept the shape.
    private static func modified(
        _ values: [Double], shape: [Int], type: DataType, attribute: String, _ context: OpContext
    ) throws -> [Double] {
        let results = try context.runSubgraph(attribute, inputs: [Tensor(dataType: type, shape: shape, doubles: values)])
        guard results.count == 1, results[0].shape == shape, results[0].dataType.isFloatingPoint else {
            throw KernelError.invalidArgument("FlexAttention: \(attribute) must return one floating-point tensor of shape \(shape), got \(results.map(\.description))")
        }
        return FloatingValues.rounded(results[0].doubles(), to: type)
    }
}
