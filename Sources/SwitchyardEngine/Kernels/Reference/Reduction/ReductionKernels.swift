extension ReferenceKernels {
    /// The reductions operators.
    static let reductions: [String: ReferenceKernel] = [:]
}
