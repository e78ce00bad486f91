extension ReferenceKernels {
    /// The reduction operators: Reduce*, ArgMax/ArgMin, Softmax/LogSoftmax/Hardmax.
    static let reductions: [String: ReferenceKernel] = {
        var table: [String: ReferenceKernel] = [:]
        for family in [Reduce.kernels, ArgExtremum.kernels, Softmax.kernels] {
            table.merge(family) { _, _ in preconditionFailure("a reduction op type is registered twice") }
        }
        return table
    }()
}
