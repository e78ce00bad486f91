import SwitchyardTensor

extension MovementOps {
    /// Transpose: permutes axes by `perm` (default: reversed).
    static func transpose(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let permutation = try context.ints("perm") ?? Array((0..<data.rank).reversed())
        guard permutation.count == data.rank,
              Set(permutation) == Set(0..<data.rank) else {
            throw .invalidArgument("Transpose: perm \(permutation) is not a permutation of the \(data.rank) axes of shape \(data.shape)")
        }
        return [MovementCopy.transposed(data, permutation: permutation)]
    }
}
