extension ReferenceKernels {
    /// The normalization operators.
    static let normalization: [String: ReferenceKernel] = [:]
}
