extension ReferenceKernels {
    /// The indexing operators.
    static let indexing: [String: ReferenceKernel] = [:]
}
