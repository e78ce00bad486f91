import SwitchyardTensor

extension IndexingOps {
    /// Unique: the distinct elements (or, with `axis`, distinct slices along it), sorted
    /// ascending when `sorted` (default) and in order of first occurrence otherwise; plus the
    /// int64 first-occurrence indices, the inverse indices and the counts.
    static func unique(_ context: OpContext) throws(KernelError) -> [Tensor] {
        var data = try context.input(0)
        let sorted = try context.int("sorted", default: 1) != 0
        let axis: Int
        if let requested = try context.int("axis") {
            axis = try MovementOps.resolvedAxis(requested, rank: data.rank, op: "Unique")
        } else {
            data = data.reshaped([data.count])
            axis = 0
        }
        let keys = SortKeys(data)
        let items = data.shape[axis]
        let inner = data.shape[(axis + 1)...].reduce(1, *)
        let outer = data.shape[..<axis].reduce(1, *)
        // Element offsets of item `item`'s slice, in row-major order of the other axes.
        func element(_ item: Int, _ position: Int) -> Int {
            (position / inner) * items * inner + item * inner + position % inner
        }
        let sliceSize = outer * inner
        func compare(_ a: Int, _ b: Int) -> Int {
            for position in 0..<sliceSize {
                let (x, y) = (element(a, position), element(b, position))
                if keys.less(x, y) { return -1 }
                if keys.less(y, x) { return 1 }
            }
            return 0
        }
        let order = (0..<items).sorted { a, b in
            let comparison = compare(a, b)
            return comparison != 0 ? comparison < 0 : a < b
        }
        // Groups of equal items, each listed by its members in index order.
        var groups: [[Int]] = []
        for item in order {
            if let last = groups.last?.first, compare(last, item) == 0 {
                groups[groups.count - 1].append(item)
            } else {
                groups.append([item])
            }
        }
        if !sorted { groups.sort { $0[0] < $1[0] } }
        var inverse = [Int64](repeating: 0, count: items)
        for (group, members) in groups.enumerated() {
            for member in members { inverse[member] = Int64(group) }
        }
        let values = MovementCopy.picking(data, axis: axis, positions: groups.map { $0[0] })
        return [
            values,
            Tensor(shape: [groups.count], scalars: groups.map { Int64($0[0]) }),
            Tensor(shape: [items], scalars: inverse),
            Tensor(shape: [groups.count], scalars: groups.map { Int64($0.count) }),
        ]
    }
}
