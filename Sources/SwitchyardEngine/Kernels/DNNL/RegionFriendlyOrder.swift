import SwitchyardGraph

/// A topological order of a graph's nodes that keeps oneDNN-capable nodes together, so the
/// region partitioner, which groups only consecutive nodes, makes few large regions.
///
/// Exporters interleave independent work: YOLOv8's head computes its anchor grid (`Shape`,
/// `Gather`, `Range` on the free batch and image sizes) between the neck's convolutions, which
/// split the neck into single-convolution kernels, each converting its tensors to plain layout
/// and back. Here a ready oneDNN-capable node always goes first (the one earliest in the
/// original order); other nodes run when no such node is ready.
enum RegionFriendlyOrder {
    /// Indices of `nodes` in the new order. `friendly[i]` tells whether node `i` may join a
    /// region; `reads[i]` are the names node `i` reads (subgraph captures included).
    static func order(_ nodes: [Node], friendly: [Bool], reads: [Set<String>]) -> [Int] {
        var producer: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for name in node.outputs where !name.isEmpty { producer[name] = index }
        }
        var waitingOn = [Int](repeating: 0, count: nodes.count)
        var dependents = [[Int]](repeating: [], count: nodes.count)
        for index in nodes.indices {
            let producers = Set(reads[index].compactMap { producer[$0] }).subtracting([index])
            waitingOn[index] = producers.count
            for source in producers { dependents[source].append(index) }
        }
        // Ready nodes, each list sorted by original position.
        var ready: [[Int]] = [[], []]
        func makeReady(_ index: Int) {
            let list = friendly[index] ? 0 : 1
            let position = ready[list].firstIndex { $0 > index } ?? ready[list].count
            ready[list].insert(index, at: position)
        }
        for index in nodes.indices where waitingOn[index] == 0 { makeReady(index) }
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        while let list = ready.firstIndex(where: { !$0.isEmpty }) {
            let next = ready[list].removeFirst()
            order.append(next)
            for dependent in dependents[next] {
                waitingOn[dependent] -= 1
                if waitingOn[dependent] == 0 { makeReady(dependent) }
            }
        }
        // A cycle (an invalid graph) leaves nodes unscheduled: keep the given order then.
        return order.count == nodes.count ? order : Array(nodes.indices)
    }
}
