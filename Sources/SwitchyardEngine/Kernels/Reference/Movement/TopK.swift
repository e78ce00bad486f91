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
        let axis = try MovementOps.resolvedAxis(try context.int("axis", default: -1), rank: data.rank, op: "TopK")
        let largest = try context.int("largest", default: 1) != 0
        let dimension = data.shape[axis]
        guard k >= 0 && k <= dimension else {
            throw .invalidArgument("TopK: k \(k) is out of range for axis \(axis) of size \(dimension)")
        }
        let layout = TopKLayout(
            outer: data.shape[..<axis].reduce(1, *), dimension: dimension,
            inner: data.shape[(axis + 1)...].reduce(1, *), k: k)
        // Sort with the concrete key type so the comparator is a plain typed comparison.
        let positions: [Int] = switch SortKeys(data) {
        case .real(let keys):
            layout.select(keys, largest: largest) { x, y in y.isNaN ? !x.isNaN : x < y }
        case .signed(let keys): layout.select(keys, largest: largest, by: <)
        case .unsigned(let keys): layout.select(keys, largest: largest, by: <)
        case .text(let keys): layout.select(keys, largest: largest, by: <)
        }
        var shape = data.shape
        shape[axis] = k
        let sourceOffsets = positions.indices.map { layout.sourceOffset(output: $0, position: positions[$0]) }
        return [MovementCopy.gathered(from: data, shape: shape, sourceIndices: sourceOffsets),
                Tensor(shape: shape, scalars: positions.map(Int64.init))]
    }
}

/// The `[outer, dimension, inner]` view TopK works in, with `k` kept per slice.
private struct TopKLayout {
    let outer: Int, dimension: Int, inner: Int, k: Int

    /// For each output element (row-major over `[outer, k, inner]`), the selected position
    /// along the axis.
    func select<Key>(_ keys: [Key], largest: Bool, by less: (Key, Key) -> Bool) -> [Int] {
        var positions = [Int](repeating: 0, count: outer * k * inner)
        var order = [Int](repeating: 0, count: dimension)
        var slice: [Key] = []
        slice.reserveCapacity(dimension)
        for o in 0..<outer {
            for i in 0..<inner {
                slice.removeAll(keepingCapacity: true)
                for position in 0..<dimension { slice.append(keys[(o * dimension + position) * inner + i]) }
                for position in 0..<dimension { order[position] = position }
                // By value, then by index (a stable order).
                order.sort { a, b in
                    if less(slice[a], slice[b]) { return !largest }
                    if less(slice[b], slice[a]) { return largest }
                    return a < b
                }
                for rank in 0..<k { positions[(o * k + rank) * inner + i] = order[rank] }
            }
        }
        return positions
    }

    /// The data offset of output element `output` that holds axis position `position`.
    func sourceOffset(output: Int, position: Int) -> Int {
        let o = output / (k * inner), i = output % inner
        return (o * dimension + position) * inner + i
    }
}
