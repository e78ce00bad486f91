import SwitchyardGraph
import SwitchyardTensor

/// Computes nodes whose inputs are all initializers of this graph, with the reference kernels,
/// and stores their results as initializers. Results larger than the scope's folding limit are
/// left to run time, and so are nodes whose output size depends on values it cannot predict.
/// Names captured from an enclosing graph are never constants here: only this graph's own
/// initializers count.
public struct ConstantFolding: GraphPass {
    public let name = "constant-folding"
    public init() {}

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        let candidates = graph.nodes.indices.filter { index in
            let node = graph.nodes[index]
            return ConstantEvaluator.isEvaluable(node)
                && node.inputs.allSatisfy { $0.isEmpty || graph.initializers[$0] != nil }
        }
        guard !candidates.isEmpty else { return [] }
        let facts = scope.facts(of: graph)
        var changes: [String] = []
        var folded = Set<Int>()
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            // Earlier folds in this sweep may have made more nodes constant.
            guard ConstantEvaluator.isEvaluable(node),
                  node.inputs.allSatisfy({ $0.isEmpty || graph.initializers[$0] != nil }) else { continue }
            let predicted = node.outputs.map { facts[$0] ?? ValueFact() }
            guard withinLimit(node, predicted: predicted, byteLimit: scope.foldingByteLimit) else {
                continue
            }
            let inputs = node.inputs.map { $0.isEmpty ? nil : graph.initializers[$0] }
            guard let outputs = ConstantEvaluator.evaluate(node, opset: scope.opset(of: node), inputs: inputs),
                  outputs.allSatisfy({ $0.byteCount <= scope.foldingByteLimit }) else { continue }
            for (name, tensor) in zip(node.outputs, outputs) where !name.isEmpty {
                graph.initializers[name] = tensor
            }
            folded.insert(index)
            let shapes = outputs.map { "\($0.dataType)\($0.shape)" }.joined(separator: ", ")
            changes.append("folded \(node.opType) '\(node.displayName)' into \(shapes)")
        }
        graph.nodes = graph.nodes.indices.filter { !folded.contains($0) }.map { graph.nodes[$0] }
        return changes
    }

    /// False when inference predicts an output above the limit, or cannot predict the size of a
    /// node whose output size depends on input values.
    private func withinLimit(_ node: Node, predicted: [ValueFact], byteLimit: Int) -> Bool {
        for fact in predicted {
            if let shape = fact.concreteShape {
                let byteSize = fact.dataType.map { $0 == .string ? 16 : $0.byteSize } ?? 8
                if shape.reduce(1, *) * byteSize > byteLimit { return false }
            } else if ConstantEvaluator.valueSized.contains(node.opType) {
                return false
            }
        }
        return true
    }
}
