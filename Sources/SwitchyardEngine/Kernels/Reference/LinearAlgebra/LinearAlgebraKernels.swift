extension ReferenceKernels {
    /// Linear-algebra operators on batches of matrices.
    static let linearAlgebra: [String: ReferenceKernel] = [
        "Det": { try Det.run($0) },
    ]
}
