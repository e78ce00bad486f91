extension ReferenceKernels {
    /// Domain of ONNX's preview training operators.
    public static let trainingDomain = "ai.onnx.preview.training"

    /// The optimizers of the `ai.onnx.preview.training` domain.
    static let training: [String: ReferenceKernel] = [
        "Adagrad": { try Optimizers.adagrad($0) },
        "Adam": { try Optimizers.adam($0) },
        "Momentum": { try Optimizers.momentum($0) },
    ]
}
