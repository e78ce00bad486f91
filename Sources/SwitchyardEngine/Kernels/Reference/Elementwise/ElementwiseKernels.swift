extension ReferenceKernels {
    /// The elementwise operators.
    static let elementwise: [String: ReferenceKernel] = [:]
}
