import SwitchyardGraph
import SwitchyardTensor

/// Removes `Identity` and inference-mode `Dropout` nodes, rewiring their readers to the input.
/// Graph output names stay as they are: when the removed node produced a graph output, the
/// node producing its input is renamed to write that output instead.
public struct IdentityElimination: GraphPass {
    public let name = "identity-elimination"
    public init() {}

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        var changes: [String] = []
        var index = 0
        while index < graph.nodes.count {
            let node = graph.nodes[index]
            guard isPassThrough(node, in: graph), let source = node.inputs.first, !source.isEmpty,
                  let target = node.outputs.first, !target.isEmpty, source != target else {
                index += 1
                continue
            }
            let usage = GraphUsage(graph)
            // A subgraph that defines either name itself would see the rename differently.
            let subgraphNames = graph.nodes.flatMap(\.subgraphs).reduce(into: Set<String>()) { $0.formUnion($1.allNames()) }
            guard !subgraphNames.contains(source), !subgraphNames.contains(target) else { index += 1; continue }
            if !usage.graphOutputs.contains(target) {
                graph.nodes.remove(at: index)
                graph.replaceUses(of: target, with: source)
            } else if let producer = usage.producer[source], !usage.graphOutputs.contains(source),
                      !usage.graphInputs.contains(source) {
                // The output keeps its name: the producer writes it directly.
                graph.nodes.remove(at: index)
                let outputIndex = graph.nodes[producer].outputs.firstIndex(of: source)!
                graph.nodes[producer].outputs[outputIndex] = target
                graph.replaceUses(of: source, with: target)
                graph.valueInfo[source] = nil
            } else {
                index += 1
                continue
            }
            if !usage.graphOutputs.contains(target) { graph.valueInfo[target] = nil }
            changes.append("removed \(node.opType) '\(node.displayName)' (\(source) -> \(target))")
        }
        return changes
    }

    private func isPassThrough(_ node: Node, in graph: Graph) -> Bool {
        guard node.domain.isEmpty || node.domain == "ai.onnx", node.subgraphs.isEmpty else { return false }
        switch node.opType {
        case "Identity":
            return node.inputs.count == 1
        case "Dropout":
            // The mask output must be unused; training mode must be absent or a constant false.
            if node.outputs.count > 1 && !node.outputs[1].isEmpty {
                let used = graph.nodes.contains { $0.inputs.contains(node.outputs[1]) || $0.subgraphCaptures().contains(node.outputs[1]) }
                if used || graph.outputs.contains(where: { $0.name == node.outputs[1] }) { return false }
            }
            if node.inputs.count > 2 && !node.inputs[2].isEmpty {
                guard let training = graph.initializers[node.inputs[2]], training.count == 1,
                      training.int64s() == [0] else { return false }
            }
            return true
        default:
            return false
        }
    }
}
