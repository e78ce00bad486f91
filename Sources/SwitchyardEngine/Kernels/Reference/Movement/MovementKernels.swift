extension ReferenceKernels {
    /// The movement operators.
    static let movement: [String: ReferenceKernel] = [:]
}
