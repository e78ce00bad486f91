import SwitchyardTensor

extension MovementOps {
    /// Dropout. In inference (the default) the input itself and an all-true mask. In training
    /// mode (opset 12+, input `training_mode` true) each element is kept where a uniform draw in
    /// [0, 1) is at least `ratio` and scaled by 1 / (1 − ratio). With a `seed` attribute the
    /// draws are NumPy's `RandomState(seed).uniform` over the input in row-major order, as in
    /// ONNX's reference, and every run repeats them; without one each run draws a new mask.
    static func dropout(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        var training = false
        var ratio = 0.5
        if context.opset >= 12 {
            if let ratioTensor = context.optionalInput(1) { ratio = ratioTensor.doubles().first ?? ratio }
            if let mode = context.optionalInput(2) { training = mode.ints().first.map { $0 != 0 } ?? false }
        } else {
            // Before opset 12 training is not a graph input; like ONNX Runtime, an inference
            // engine runs these (including opset < 7 `is_test` = 0) as the identity.
            ratio = Double(try context.float("ratio", default: 0.5))
        }
        if training && ratio != 0 {
            return try trainingDropout(data, ratio: ratio, context: context)
        }
        guard context.node.outputs.count > 1 else { return [data] }
        // Before opset 10 the mask has the input's type; from 10 on it is bool.
        let mask = context.opset >= 10
            ? Tensor(shape: data.shape, scalars: [Bool](repeating: true, count: data.count))
            : Tensor(dataType: data.dataType, shape: data.shape, doubles: [Double](repeating: 1, count: data.count))
        return [data, mask]
    }

    private static func trainingDropout(_ data: Tensor, ratio: Double, context: OpContext) throws(KernelError) -> [Tensor] {
        guard ratio > 0, ratio < 1 else {
            throw .invalidArgument("Dropout: ratio must be in [0, 1) in training mode, got \(ratio)")
        }
        guard data.dataType.isFloatingPoint else {
            throw .unsupported("Dropout: input has type \(data.dataType); expected a floating-point type")
        }
        let seed = try context.int("seed").map { UInt32(truncatingIfNeeded: $0) } ?? UInt32.random(in: .min ... .max)
        var generator = MersenneTwister(seed: seed)
        let scale = 1 / (1 - ratio)
        var kept = [Bool](repeating: false, count: data.count)
        var values = data.doubles()
        for i in values.indices {
            kept[i] = generator.nextUnitDouble() >= ratio
            values[i] = kept[i] ? values[i] * scale : 0
        }
        let output = Tensor(dataType: data.dataType, shape: data.shape, doubles: values)
        guard context.node.outputs.count > 1 else { return [output] }
        return [output, Tensor(shape: data.shape, scalars: kept)]
    }
}
