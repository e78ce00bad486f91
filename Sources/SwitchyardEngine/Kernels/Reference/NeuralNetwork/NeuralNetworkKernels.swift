extension ReferenceKernels {
    /// The neuralNetwork operators.
    static let neuralNetwork: [String: ReferenceKernel] = [:]
}
