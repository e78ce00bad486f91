import SwitchyardTensor

/// ONNX `InstanceNormalization` (opsets 1, 6, 22): each channel of each instance of X
/// `[N, C, D1 …]` is standardized over its spatial elements, then scaled and shifted per channel:
/// `y = scale * (x - mean) / sqrt(var + epsilon) + B`. Group normalization with one group per
/// channel, and computed by it.
enum InstanceNormalization {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "InstanceNormalization"
        let x = try context.input(0)
        let scale = try context.input(1)
        let bias = try context.input(2)
        try NormalizationMath.requireFloatingPoint(x, op, "input")
        try NormalizationMath.requireFloatingPoint(scale, op, "scale")
        try NormalizationMath.requireFloatingPoint(bias, op, "B")
        guard x.rank >= 2 else { throw .invalidArgument("\(op): input must have rank ≥ 2 (N x C x D1 ...), got shape \(x.shape)") }
        let channels = x.shape[1]
        try NormalizationMath.requireCount(scale, channels, op, "scale", expected: "C")
        try NormalizationMath.requireCount(bias, channels, op, "B", expected: "C")
        let epsilon = Double(try context.float("epsilon", default: 1e-5))
        return [GroupNormalization.normalize(x, groups: max(channels, 1), scale: scale.doubles(),
                                             bias: bias.doubles(), epsilon: epsilon)]
    }
}
