extension ReferenceKernels {
    /// The controlFlow operators.
    static let controlFlow: [String: ReferenceKernel] = [:]
}
