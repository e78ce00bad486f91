import SwitchyardTensor

extension IndexingOps {
    /// TopK: the `k` largest (or smallest, `largest` = 0) entries along `axis` and their int64
    /// indices, sorted, equal values in index order. `k` is an input from opset 10, attribute
    /// before.
    static func topK(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let k: Int
        if context.opset >= 10 {
            k = try MovementOps.scalarInt(try context.input(1), op: "TopK", name: "K")
        } else {
            guard let attribute = try context.int("k") else { throw .invalidArgument("TopK: attribute 'k' is missing") }
            k = attribute
        }
        let axis = try ShapeMath.normalizedAxis(try context.int("axis", default: -1), rank: data.rank, op: "TopK")
        let largest = try context.int("largest", default: 1) != 0
        let dimension = data.shape[axis]
        guard k >= 0 && k <= dimension else {
            throw .invalidArgument("TopK: k \(k) is out of range for axis \(axis) of size \(dimension)")
        }
        let inner = data.shape[(axis + 1)...].reduce(1, *)
        let outer = data.shape[..<axis].reduce(1, *)
        let keys = SortKeys(data)
        var sourceOffsets: [Int] = []
        var positions: [Int64] = []
        sourceOffsets.reserveCapacity(outer * k * inner)
        positions.reserveCapacity(outer * k * inner)
        var order = [Int](repeating: 0, count: dimension)
        var selected = [[Int]](repeating: [], count: inner)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * dimension * inner + i
                for position in 0..<dimension { order[position] = position }
                // Stable order: by value, then by index.
                order.sort { a, b in
                    let (x, y) = (base + a * inner, base + b * inner)
                    if keys.less(x, y) { return !largest }
                    if keys.less(y, x) { return largest }
                    return a < b
                }
                selected[i] = Array(order[..<k])
            }
            for rank in 0..<k {
                for i in 0..<inner {
                    let position = selected[i][rank]
                    sourceOffsets.append(o * dimension * inner + position * inner + i)
                    positions.append(Int64(position))
                }
            }
        }
        var shape = data.shape
        shape[axis] = k
        return [MovementCopy.gathered(from: data, shape: shape, sourceIndices: sourceOffsets),
                Tensor(shape: shape, scalars: positions)]
    }
}
