import SwitchyardTensor

/// ONNX `BatchNormalization`, every opset (1, 6, 7, 9, 14, 15).
///
/// Inference: `Y = (X - mean) / sqrt(var + epsilon) * scale + B` per channel, applied as one
/// multiply-add per element (float32 and float64 read in place).
///
/// Training (batch statistics, running statistics updated with `momentum`) runs when
/// - opset ≥ 14: `training_mode` is 1; outputs are `Y, running_mean, running_var`;
/// - opset 7–13: the node asks for more than `Y`; outputs are `Y, mean, var, saved_mean, saved_var`
///   (saved_* being the batch statistics);
/// - opset 1–6: as for 7–13, and `is_test` is 0. A single-output node always runs inference,
///   since the spec names that case "test mode" even though `is_test` defaults to 0.
///
/// `spatial = 0` (opsets 1–7) with parameters of `C × D1 × … × Dn` elements normalizes each
/// feature separately (statistics over the batch axis only); parameters of `C` elements are
/// applied per channel either way.
enum BatchNormalization {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "BatchNormalization"
        let x = try context.input(0)
        let parameters = [try context.input(1), try context.input(2), try context.input(3), try context.input(4)]
        let parameterNames = ["scale", "B", "input_mean", "input_var"]
        try NormalizationMath.requireFloatingPoint(x, op, "X")
        for (tensor, name) in zip(parameters, parameterNames) {
            try NormalizationMath.requireFloatingPoint(tensor, op, name)
        }
        guard x.rank >= 2 else {
            throw .invalidArgument("\(op): X must have rank ≥ 2 (N x C x D1 ...), got shape \(x.shape)")
        }
        let epsilon = Double(try context.float("epsilon", default: 1e-5))
        let momentum = Double(try context.float("momentum", default: 0.9))
        let training = try isTraining(context)

        let batch = x.shape[0], channels = x.shape[1]
        let inner = x.shape.dropFirst(2).reduce(1, *)
        let spatial = context.opset < 9 ? try context.int("spatial", default: 1) : 1
        let perFeature = spatial == 0 && inner > 1 && parameters[0].count == channels * inner
        let features = perFeature ? channels * inner : channels
        let featureInner = perFeature ? 1 : inner
        for (tensor, name) in zip(parameters, parameterNames) {
            try NormalizationMath.requireCount(tensor, features, op, name,
                                               expected: perFeature ? "C × D1 × … × Dn" : "C")
        }
        let scale = parameters[0].doubles(), bias = parameters[1].doubles()
        let inputMean = parameters[2].doubles(), inputVariance = parameters[3].doubles()

        guard training else {
            let y = normalize(x, batch: batch, inner: featureInner, scale: scale, bias: bias,
                              mean: inputMean, variance: inputVariance, epsilon: epsilon)
            return [y]
        }

        let statistics = NormalizationMath.groupedStatistics(
            x.doubles(), shape: [batch, features, featureInner], reduced: [0, 2])
        let y = normalize(x, batch: batch, inner: featureInner, scale: scale, bias: bias,
                          mean: statistics.mean, variance: statistics.variance, epsilon: epsilon)
        let runningMean = zip(inputMean, statistics.mean).map { $0 * momentum + $1 * (1 - momentum) }
        let runningVariance = zip(inputVariance, statistics.variance).map { $0 * momentum + $1 * (1 - momentum) }
        func parameterTensor(_ values: [Double], like template: Tensor) -> Tensor {
            Tensor(dataType: template.dataType, shape: template.shape, doubles: values)
        }
        var outputs = [y, parameterTensor(runningMean, like: parameters[2]),
                       parameterTensor(runningVariance, like: parameters[3])]
        if context.opset < 14 {
            outputs.append(parameterTensor(statistics.mean, like: parameters[2]))
            outputs.append(parameterTensor(statistics.variance, like: parameters[3]))
        }
        return Array(outputs.prefix(max(1, context.node.outputs.count)))
    }

    private static func isTraining(_ context: OpContext) throws(KernelError) -> Bool {
        let extraOutputs = context.node.outputs.dropFirst().contains { !$0.isEmpty }
        if context.opset >= 14 {
            let training = try context.int("training_mode", default: 0) != 0
            if !training && extraOutputs {
                throw .invalidArgument("BatchNormalization: running_mean and running_var outputs are only valid with training_mode = 1")
            }
            return training
        }
        let isTest = try context.int("is_test", default: 0)
        if context.opset < 7 && isTest != 0 { return false }
        return extraOutputs
    }

    /// `Y = X * a + b` with `a = scale / sqrt(variance + epsilon)`, `b = bias - mean * a` per
    /// feature, X viewed as `[batch, features, inner]`.
    private static func normalize(
        _ x: Tensor, batch: Int, inner: Int, scale: [Double], bias: [Double],
        mean: [Double], variance: [Double], epsilon: Double
    ) -> Tensor {
        var multiplier = [Double](repeating: 0, count: scale.count)
        var offset = [Double](repeating: 0, count: scale.count)
        for feature in 0..<scale.count {
            multiplier[feature] = scale[feature] / (variance[feature] + epsilon).squareRoot()
            offset[feature] = bias[feature] - mean[feature] * multiplier[feature]
        }
        return NormalizationMath.mapFloatingPoint(
            x,
            float: { applyAffine($0, $1, batch: batch, inner: inner, multiplier: multiplier, offset: offset) },
            double: { applyAffine($0, $1, batch: batch, inner: inner, multiplier: multiplier, offset: offset) })
    }

    private static func applyAffine<T: BinaryFloatingPoint>(
        _ x: UnsafeBufferPointer<T>, _ y: UnsafeMutableBufferPointer<T>,
        batch: Int, inner: Int, multiplier: [Double], offset: [Double]
    ) {
        let a = multiplier.map { T($0) }, b = offset.map { T($0) }
        var index = 0
        for _ in 0..<batch {
            for feature in 0..<a.count {
                let scale = a[feature], shift = b[feature]
                for _ in 0..<inner {
                    y[index] = x[index] * scale + shift
                    index += 1
                }
            }
        }
    }
}
