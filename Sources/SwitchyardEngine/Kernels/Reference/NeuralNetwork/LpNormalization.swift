import SwitchyardTensor

/// ONNX `LpNormalization` (opsets 1, 22): `output = input / ‖input‖ₚ` along `axis`, with
/// `p` 1 (sum of absolute values) or 2 (Euclidean). Where the norm is zero the output is zero.
enum LpNormalization {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "LpNormalization"
        let x = try context.input(0)
        try NormalizationMath.requireFloatingPoint(x, op, "input")
        let p = try context.int("p", default: 2)
        guard p == 1 || p == 2 else { throw .invalidArgument("\(op): p must be 1 or 2, got \(p)") }
        guard x.rank >= 1 else { throw .invalidArgument("\(op): input must have rank ≥ 1, got a scalar") }
        let axis = try ShapeMath.normalizedAxis(try context.int("axis", default: -1), rank: x.rank, op: op)

        let values = x.doubles()
        let axisSize = x.shape[axis]
        let inner = x.shape[(axis + 1)...].reduce(1, *)
        let outer = x.shape[..<axis].reduce(1, *)
        var result = [Double](repeating: 0, count: values.count)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * axisSize * inner + i
                var accumulated = 0.0
                for k in 0..<axisSize {
                    let value = values[base + k * inner]
                    accumulated += p == 1 ? abs(value) : value * value
                }
                let norm = p == 1 ? accumulated : accumulated.squareRoot()
                guard norm != 0 else { continue }
                for k in 0..<axisSize { result[base + k * inner] = values[base + k * inner] / norm }
            }
        }
        return [Tensor(dataType: x.dataType, shape: x.shape, doubles: result)]
    }
}
