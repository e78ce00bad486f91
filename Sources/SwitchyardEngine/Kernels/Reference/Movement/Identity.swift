import SwitchyardTensor

extension MovementOps {
    /// Identity: the input itself (shared storage).
    static func identity(_ context: OpContext) throws(KernelError) -> [Tensor] {
        [try context.input(0)]
    }
}
