extension ReferenceKernels {
    /// The transformer building blocks: attention, rotary embeddings, RMS normalization and
    /// the Swish-family activations.
    static let transformer: [String: ReferenceKernel] = [
        "Attention": { try Attention.run($0) },
        "RotaryEmbedding": { try RotaryEmbedding.run($0) },
        "RMSNormalization": { try RMSNormalization.run($0) },
        "Swish": { try Swish.run($0) },
        "SwiGLU": { try SwiGLU.run($0) },
    ]
}
