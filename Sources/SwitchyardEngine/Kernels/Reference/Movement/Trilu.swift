import SwitchyardTensor

extension MovementOps {
    /// Trilu: keeps the upper (`upper` = 1, the default) or lower triangle of each matrix in the
    /// last two axes, relative to diagonal `k` (optional input); the rest becomes zero.
    static func trilu(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        guard data.rank >= 2 else { throw .invalidArgument("Trilu: input must have rank >= 2, got shape \(data.shape)") }
        let requestedK = try context.optionalInput(1).map { (tensor) throws(KernelError) in
            try scalarInt(tensor, op: "Trilu", name: "k")
        } ?? 0
        let upper = try context.int("upper", default: 1) != 0
        let rows = data.shape[data.rank - 2], columns = data.shape[data.rank - 1]
        // Beyond ±(rows + columns) every diagonal offset behaves alike; clamping avoids overflow.
        let k = min(max(requestedK, -(rows + columns)), rows + columns)
        let matrices = data.count / max(rows * columns, 1)
        return [MovementCopy.build(from: data, shape: data.shape) { copier in
            guard rows * columns > 0 else { return }
            for matrix in 0..<matrices {
                for row in 0..<rows {
                    // Kept columns: j - row >= k (upper) or j - row <= k (lower), clamped.
                    let first = upper ? min(max(row + k, 0), columns) : 0
                    let end = upper ? columns : min(max(row + k + 1, 0), columns)
                    guard end > first else { continue }
                    let rowStart = (matrix * rows + row) * columns
                    copier.copy(from: rowStart + first, to: rowStart + first, count: end - first)
                }
            }
        }]
    }
}
