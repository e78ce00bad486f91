/// Places buffers with known lifetimes in one arena: greedy best-fit, largest first. Each buffer
/// goes into the smallest gap between the buffers live at the same time that holds it, or after
/// all of them. Shared by the graph's `MemoryPlanner` and the oneDNN plans' buffers.
enum ArenaPlacement {
    /// One buffer: its size and the steps during which it is live (inclusive).
    struct Request: Equatable {
        let bytes: Int
        let first: Int
        let last: Int
    }

    /// Offsets aligned with `requests` (multiples of `alignment` when every size is) and the
    /// arena's size. Ties between equal sizes go to the earlier-born buffer, then to the earlier
    /// request, so a plan is reproducible.
    static func place(_ requests: [Request]) -> (offsets: [Int], arenaBytes: Int) {
        let order = requests.indices.sorted { a, b in
            let (x, y) = (requests[a], requests[b])
            if x.bytes != y.bytes { return x.bytes > y.bytes }
            if x.first != y.first { return x.first < y.first }
            return a < b
        }
        var offsets = [Int](repeating: 0, count: requests.count)
        var placed: [Int] = []
        var arenaBytes = 0
        for index in order {
            let request = requests[index]
            let concurrent = placed
                .filter { requests[$0].first <= request.last && request.first <= requests[$0].last }
                .sorted { offsets[$0] < offsets[$1] }
            var best: (offset: Int, gap: Int)?
            var cursor = 0
            for other in concurrent {
                let gap = offsets[other] - cursor
                if gap >= request.bytes && (best == nil || gap < best!.gap) { best = (cursor, gap) }
                cursor = max(cursor, offsets[other] + requests[other].bytes)
            }
            offsets[index] = best?.offset ?? cursor
            placed.append(index)
            arenaBytes = max(arenaBytes, offsets[index] + request.bytes)
        }
        return (offsets, arenaBytes)
    }
}
