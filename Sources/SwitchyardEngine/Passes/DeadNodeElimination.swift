import SwitchyardGraph
import SwitchyardTensor

/// Removes nodes none of whose outputs reach a graph output, and initializers nothing reads.
/// Values a subgraph reads from this scope count as read by the node holding the subgraph.
public struct DeadNodeElimination: GraphPass {
    public let name = "dead-node-elimination"
    public init() {}

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        var live = Set(graph.outputs.map(\.name))
        var keep = [Bool](repeating: false, count: graph.nodes.count)
        for index in graph.nodes.indices.reversed() {
            let node = graph.nodes[index]
            guard node.outputs.contains(where: { live.contains($0) }) else { continue }
            keep[index] = true
            live.formUnion(node.inputs.filter { !$0.isEmpty })
            live.formUnion(node.subgraphCaptures())
        }
        var changes: [String] = []
        let removed = graph.nodes.indices.filter { !keep[$0] }.map { graph.nodes[$0] }
        if !removed.isEmpty {
            graph.nodes = graph.nodes.indices.filter { keep[$0] }.map { graph.nodes[$0] }
            for node in removed { for output in node.outputs { graph.valueInfo[output] = nil } }
            let counts = removed.reduce(into: [String: Int]()) { $0[$1.opType, default: 0] += 1 }
            let listing = counts.sorted { $0.key < $1.key }.map { "\($0.key)x\($0.value)" }.joined(separator: ", ")
            changes.append("removed \(removed.count) unused node\(removed.count == 1 ? "" : "s"): \(listing)")
        }
        let unused = graph.initializers.keys.filter { !live.contains($0) }
        if !unused.isEmpty {
            let bytes = unused.reduce(0) { $0 + graph.initializers[$1]!.byteCount }
            for name in unused { graph.initializers[name] = nil }
            changes.append("removed \(unused.count) unused initializer\(unused.count == 1 ? "" : "s") (\(bytes) bytes)")
        }
        return changes
    }
}
