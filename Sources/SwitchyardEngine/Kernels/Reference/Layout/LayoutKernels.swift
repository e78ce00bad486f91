extension ReferenceKernels {
    /// Operators that reinterpret a tensor's bytes without arithmetic on its values.
    static let layout: [String: ReferenceKernel] = [
        "BitCast": { try BitCast.run($0) },
    ]
}
