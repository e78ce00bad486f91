import SwitchyardGraph

/// Replaces a matched chain of nodes by one fused node. The fused node takes the place of the
/// chain's last node, where every value it reads is already defined.
enum FusionRewrite {
    static func replace(_ nodes: Set<Int>, with fused: Node, in graph: inout Graph) {
        guard let last = nodes.max() else { return }
        for index in nodes {
            for output in graph.nodes[index].outputs where !fused.outputs.contains(output) {
                graph.valueInfo[output] = nil
            }
        }
        graph.nodes[last] = fused
        let removed = nodes.subtracting([last])
        graph.nodes = graph.nodes.indices.filter { !removed.contains($0) }.map { graph.nodes[$0] }
    }
}
