import SwitchyardTensor

extension MovementOps {
    /// Identity: the input itself (shared storage).
    static func identity(_ context: OpContext) throws(KernelError) -> [Tensor] {
        [try context.input(0)]
    }

    /// Dropout in inference: the input and an all-true mask. Training mode with a non-zero
    /// ratio needs randomness, which a deterministic engine does not provide.
    static func dropout(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        var training = false
        var ratio: Float = 0.5
        if context.opset >= 12 {
            if let ratioTensor = context.optionalInput(1) { ratio = ratioTensor.floats().first ?? ratio }
            if let mode = context.optionalInput(2) { training = mode.ints().first.map { $0 != 0 } ?? false }
        } else {
            // Before opset 12 training is not a graph input; like ONNX Runtime, an inference
            // engine runs these (including opset < 7 `is_test` = 0) as the identity.
            ratio = try context.float("ratio", default: 0.5)
        }
        if training && ratio != 0 {
            throw .unsupported("Dropout: training mode with ratio \(ratio) needs random masks; run the model in inference mode")
        }
        guard context.node.outputs.count > 1 else { return [data] }
        // Before opset 10 the mask has the input's type; from 10 on it is bool.
        let mask = context.opset >= 10
            ? Tensor(shape: data.shape, scalars: [Bool](repeating: true, count: data.count))
            : Tensor(dataType: data.dataType, shape: data.shape, doubles: [Double](repeating: 1, count: data.count))
        return [data, mask]
    }
}
