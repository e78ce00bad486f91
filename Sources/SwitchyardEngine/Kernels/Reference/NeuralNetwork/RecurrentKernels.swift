extension ReferenceKernels {
    /// The recurrent operators.
    static let recurrent: [String: ReferenceKernel] = [:]
}
