import SwitchyardGraph
import SwitchyardTensor

/// Recognizes layer normalization over the last axis written out in primitives, as PaddleOCR's
/// and many transformer exports emit it, and replaces it by one `LayerNormalization` node:
///
///     m = ReduceMean(x, [-1]); d = x - m; v = ReduceMean(Pow(d, 2), [-1])
///     y = d / Sqrt(v + eps) [* gamma] [+ beta]
///
/// Only when every intermediate has no reader outside the pattern, and gamma/beta are
/// constant vectors along the last axis.
public struct LayerNormFusion: GraphPass {
    public let name = "layer-norm-fusion"
    public init() {}

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        guard scope.hasKernel("LayerNormalization"),
              graph.nodes.contains(where: { $0.opType == "ReduceMean" }) else { return [] }
        let facts = scope.facts(of: graph)
        var names = NameAllocator(graph)
        var changes: [String] = []
        var index = 0
        while index < graph.nodes.count {
            if let change = fuse(at: index, in: &graph, facts: facts, names: &names, scope: scope) {
                changes.append(change)
            } else {
                index += 1
            }
        }
        return changes
    }

    private func fuse(at index: Int, in graph: inout Graph, facts: [String: ValueFact],
                      names: inout NameAllocator, scope: PassScope) -> String? {
        let mean = graph.nodes[index]
        guard isLastAxisMean(mean, graph: graph, facts: facts, scope: scope) else { return nil }
        let usage = GraphUsage(graph)
        guard let x = mean.inputs.first,
              facts[x]?.dataType == .float32, let rank = facts[x]?.shape?.count,
              let columns = facts[x]?.shape?.last?.fixedValue,
              let sub = soleReader(of: mean.outputs[0], usage, graph), sub.node.opType == "Sub",
              sub.node.inputs == [x, mean.outputs[0]] else { return nil }
        let centered = sub.node.outputs[0]
        // `centered` feeds the variance (Pow) and the division.
        let readers = usage.consumers(of: centered)
        guard readers.count == 2, !usage.graphOutputs.contains(centered) else { return nil }
        let (powIndex, divIndex) = graph.nodes[readers[0]].opType == "Pow" ? (readers[0], readers[1]) : (readers[1], readers[0])
        let pow = graph.nodes[powIndex], div = graph.nodes[divIndex]
        guard pow.opType == "Pow", pow.inputs.first == centered, pow.inputs.count == 2,
              ActivationMatcher.scalar(pow.inputs[1], in: graph) == 2,
              let variance = soleReader(of: pow.outputs[0], usage, graph),
              isLastAxisMean(variance.node, graph: graph, facts: facts, scope: scope),
              let addEpsilon = soleReader(of: variance.node.outputs[0], usage, graph), addEpsilon.node.opType == "Add",
              let epsilon = otherScalar(addEpsilon.node, variance.node.outputs[0], graph),
              let sqrt = soleReader(of: addEpsilon.node.outputs[0], usage, graph), sqrt.node.opType == "Sqrt",
              let divided = soleReader(of: sqrt.node.outputs[0], usage, graph), divided.index == divIndex,
              div.opType == "Div", div.inputs == [centered, sqrt.node.outputs[0]] else { return nil }

        var pattern: Set<Int> = [index, sub.index, powIndex, variance.index, addEpsilon.index, sqrt.index, divIndex]
        var current = div.outputs[0]
        var gamma: String?
        var beta: String?
        if let scale = soleReader(of: current, usage, graph), scale.node.opType == "Mul",
           let vector = otherVector(scale.node, current, columns: columns, rank: rank, graph) {
            gamma = vector
            pattern.insert(scale.index)
            current = scale.node.outputs[0]
            if let shift = soleReader(of: current, usage, graph), shift.node.opType == "Add",
               let vector = otherVector(shift.node, current, columns: columns, rank: rank, graph) {
                beta = vector
                pattern.insert(shift.index)
                current = shift.node.outputs[0]
            }
        }
        let gammaName: String
        if let gamma {
            gammaName = reshapedVector(gamma, columns: columns, in: &graph, names: &names)
        } else {
            gammaName = names.fresh("\(current)_unit_scale")
            graph.initializers[gammaName] = Tensor(shape: [columns], scalars: [Float](repeating: 1, count: columns))
        }
        var inputs = [x, gammaName]
        if let beta { inputs.append(reshapedVector(beta, columns: columns, in: &graph, names: &names)) }
        let fused = Node(name: mean.name.isEmpty ? "LayerNorm_\(current)" : mean.name, opType: "LayerNormalization",
                         inputs: inputs, outputs: [current],
                         attributes: ["axis": .int(-1), "epsilon": .float(epsilon)])
        FusionRewrite.replace(pattern, with: fused, in: &graph)
        return "fused \(pattern.count) nodes from '\(mean.displayName)' into LayerNormalization"
    }

    /// The node reading `value`, when it is its only reader and reads it once.
    private func soleReader(of value: String, _ usage: GraphUsage, _ graph: Graph) -> (index: Int, node: Node)? {
        guard usage.hasSingleUse(value, in: graph), let index = usage.consumers(of: value).first else { return nil }
        let node = graph.nodes[index]
        guard node.domain.isEmpty || node.domain == "ai.onnx", node.outputs.count == 1 else { return nil }
        return (index, node)
    }

    /// `ReduceMean` over exactly the last axis, keeping dimensions.
    private func isLastAxisMean(_ node: Node, graph: Graph, facts: [String: ValueFact], scope: PassScope) -> Bool {
        guard node.opType == "ReduceMean", node.domain.isEmpty || node.domain == "ai.onnx", node.outputs.count == 1,
              let rank = node.inputs.first.flatMap({ facts[$0]?.shape?.count }) else { return false }
        if case .int(let keep)? = node.attributes["keepdims"], keep == 0 { return false }
        let axes: [Int]?
        if scope.opset(of: node) >= 18 {
            axes = node.inputs.count > 1 ? graph.initializers[node.inputs[1]]?.ints() : nil
        } else if case .ints(let values)? = node.attributes["axes"] {
            axes = values
        } else {
            axes = nil
        }
        guard let axes, axes.count == 1 else { return false }
        return axes[0] == -1 || axes[0] == rank - 1
    }

    private func otherScalar(_ node: Node, _ value: String, _ graph: Graph) -> Float? {
        guard node.inputs.count == 2, node.inputs.contains(value) else { return nil }
        return ActivationMatcher.scalar(node.inputs[0] == value ? node.inputs[1] : node.inputs[0], in: graph)
    }

    /// The float constant combined with `value` by a commutative node, when it is one value per
    /// column (shape `[…1, columns]`).
    private func otherVector(_ node: Node, _ value: String, columns: Int, rank: Int, _ graph: Graph) -> String? {
        guard node.inputs.count == 2, node.inputs.contains(value), node.inputs[0] != node.inputs[1] else { return nil }
        let name = node.inputs[0] == value ? node.inputs[1] : node.inputs[0]
        guard let tensor = graph.initializers[name], tensor.dataType == .float32, tensor.rank >= 1, tensor.rank <= rank,
              tensor.shape.last == columns, tensor.count == columns else { return nil }
        return name
    }

    private func reshapedVector(_ name: String, columns: Int, in graph: inout Graph, names: inout NameAllocator) -> String {
        guard let tensor = graph.initializers[name], tensor.rank != 1 else { return name }
        let vectorName = names.fresh("\(name)_vector")
        graph.initializers[vectorName] = tensor.reshaped([columns])
        return vectorName
    }
}
