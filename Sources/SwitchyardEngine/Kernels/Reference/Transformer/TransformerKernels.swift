extension ReferenceKernels {
    /// The transformer building blocks: softmax and linear attention, rotary embeddings, RMS
    /// normalization, the Swish-family activations and the stateful causal convolution.
    static let transformer: [String: ReferenceKernel] = [
        "Attention": { try Attention.run($0) },
        "LinearAttention": { try LinearAttention.run($0) },
        "RotaryEmbedding": { try RotaryEmbedding.run($0) },
        "RMSNormalization": { try RMSNormalization.run($0) },
        "Swish": { try Swish.run($0) },
        "SwiGLU": { try SwiGLU.run($0) },
        "CausalConvWithState": { try CausalConvWithState.run($0) },
    ]
}

extension ReferenceKernels {
    /// Domain of ONNX's preview operators.
    public static let previewDomain = "ai.onnx.preview"

    /// The operators of the `ai.onnx.preview` domain.
    static let preview: [String: ReferenceKernel] = [
        "FlexAttention": { try FlexAttention.run($0) },
    ]
}
