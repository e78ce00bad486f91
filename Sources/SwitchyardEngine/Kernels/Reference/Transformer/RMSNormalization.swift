import SwitchyardTensor

/// ONNX `RMSNormalization` (opset 23): `Y = X / sqrt(mean(X², axes [axis, rank)) + epsilon) · Scale`,
/// with Scale broadcast unidirectionally to X. Statistics are accumulated in double.
enum RMSNormalization {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "RMSNormalization"
        let x = try context.input(0), scale = try context.input(1)
        let values = try FloatingValues.read(x, op: op, input: "X")
        let scaleValues = try FloatingValues.read(scale, op: op, input: "Scale")
        guard x.rank >= 1 else { throw .invalidArgument("\(op): X must have rank ≥ 1, got a scalar") }
        let axis = try ShapeMath.normalizedAxis(try context.int("axis", default: -1), rank: x.rank, op: op)
        let epsilon = Double(try context.float("epsilon", default: 1e-5))
        let stashType = try context.int("stash_type", default: 1)
        guard stashType == 1 else {
            throw .unsupported("\(op): stash_type \(stashType) is not supported (only 1, float)")
        }
        guard scale.rank <= x.rank, (try? ShapeMath.broadcast([x.shape, scale.shape])) == x.shape else {
            throw .invalidArgument("\(op): Scale of shape \(scale.shape) does not broadcast to X \(x.shape)")
        }
        let scaleIndices = ShapeMath.broadcastIndices(from: scale.shape, to: x.shape)
        let cols = x.shape[axis...].reduce(1, *)
        let rows = cols == 0 ? 0 : x.count / cols
        var output = [Double](repeating: 0, count: x.count)
        for row in 0..<rows {
            let base = row * cols
            var sumOfSquares = 0.0
            for col in 0..<cols { sumOfSquares += values[base + col] * values[base + col] }
            let reciprocal = 1 / (sumOfSquares / Double(cols) + epsilon).squareRoot()
            for col in 0..<cols {
                output[base + col] = values[base + col] * reciprocal * scaleValues[scaleIndices[base + col]]
            }
        }
        return [Tensor(dataType: x.dataType, shape: x.shape, doubles: output)]
    }
}
