import SwitchyardGraph
import SwitchyardTensor

/// Replaces values that shape inference has computed before the model runs — `Shape` and `Size`
/// of statically shaped values, and the shape arithmetic built on them (`Gather`, `Concat`,
/// `Unsqueeze`… of known dimensions) — with initializers.
public struct ShapeFolding: GraphPass {
    public let name = "shape-folding"
    public init() {}

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        let candidates = graph.nodes.contains { node in
            ["Shape", "Size"].contains(node.opType) || node.inputs.contains { graph.initializers[$0] == nil }
        }
        guard candidates else { return [] }
        let facts = scope.facts(of: graph)
        let original = Set(graph.initializers.keys)
        var changes: [String] = []
        var folded = Set<Int>()
        for (index, node) in graph.nodes.enumerated() {
            guard node.domain.isEmpty || node.domain == "ai.onnx", node.subgraphs.isEmpty,
                  !ConstantEvaluator.nondeterministic.contains(node.opType),
                  node.opType != "Constant",
                  // Nodes reading only initializers are constant folding's business.
                  node.inputs.contains(where: { !$0.isEmpty && !original.contains($0) }),
                  !node.outputs.isEmpty, node.outputs.allSatisfy({ !$0.isEmpty }) else { continue }
            let constants = node.outputs.compactMap { facts[$0]?.constant }
            guard constants.count == node.outputs.count else { continue }
            for (name, tensor) in zip(node.outputs, constants) { graph.initializers[name] = tensor }
            folded.insert(index)
            let values = constants.map { $0.count <= 8 ? "\($0.ints())" : "\($0.dataType)\($0.shape)" }.joined(separator: ", ")
            changes.append("\(node.opType) '\(node.displayName)' is always \(values)")
        }
        graph.nodes = graph.nodes.indices.filter { !folded.contains($0) }.map { graph.nodes[$0] }
        return changes
    }
}
