extension ReferenceKernels {
    /// The engine's own fused operators (domain `ai.switchyard`), made by the optimizer.
    static let fused: [String: ReferenceKernel] = [:]
}
