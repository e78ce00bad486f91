import SwitchyardGraph
import SwitchyardTensor

/// Fuses `Conv [+ Add residual] [+ activation]` into `ai.switchyard.FusedConv` (notes/fused.md):
/// the residual becomes the `Sum` input, added before the activation. Per-channel constant adds
/// were already folded into the bias by `ConvAffineFolding`. Only float convolutions whose
/// intermediate results have no other reader are fused.
public struct ConvFusion: GraphPass {
    public let name = "conv-fusion"
    /// Activation names (`FusedActivation.name`) this pass may fuse.
    public let activations: Set<String>

    public init(activations: Set<String> = FusedActivation.fusedByDefault) {
        self.activations = activations
    }

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        guard scope.hasKernel("Conv"), graph.nodes.contains(where: { $0.opType == "Conv" && $0.domain.isEmpty }) else { return [] }
        let facts = scope.facts(of: graph)
        var changes: [String] = []
        var index = 0
        while index < graph.nodes.count {
            if let change = fuse(at: index, in: &graph, facts: facts) {
                changes.append(change)
            } else {
                index += 1
            }
        }
        return changes
    }

    private func fuse(at index: Int, in graph: inout Graph, facts: [String: ValueFact]) -> String? {
        let conv = graph.nodes[index]
        guard conv.opType == "Conv", conv.domain.isEmpty || conv.domain == "ai.onnx", conv.outputs.count == 1,
              conv.inputs.count >= 2, facts[conv.outputs[0]]?.dataType == .float32 else { return nil }
        let usage = GraphUsage(graph)
        var current = conv.outputs[0]
        var pattern: Set<Int> = [index]
        var sum: String?
        var parts: [String] = []

        if usage.hasSingleUse(current, in: graph), let addIndex = usage.consumers(of: current).first {
            let add = graph.nodes[addIndex]
            if add.opType == "Add", add.domain.isEmpty || add.domain == "ai.onnx", add.inputs.count == 2, add.outputs.count == 1,
               add.inputs[0] != add.inputs[1] {
                let other = add.inputs[0] == current ? add.inputs[1] : add.inputs[0]
                if let mine = facts[current]?.shape, let theirs = facts[other]?.shape, mine == theirs,
                   !mine.contains(.unknown), facts[other]?.dataType == .float32 {
                    sum = other
                    pattern.insert(addIndex)
                    current = add.outputs[0]
                    parts.append("Add '\(add.displayName)' as residual")
                }
            }
        }
        let activation = ActivationMatcher.match(current, in: graph, usage: usage, allowed: activations)?
            .absorb(into: &pattern, output: &current, parts: &parts)
        guard pattern.count > 1 else { return nil }

        var inputs = Array(conv.inputs.prefix(3))
        if let sum {
            while inputs.count < 3 { inputs.append("") }
            inputs.append(sum)
        }
        var attributes = conv.attributes
        if let activation { attributes.merge(activation.attributes) { $1 } }
        let fused = Node(name: conv.name, opType: "FusedConv", domain: ReferenceKernels.switchyardDomain,
                         inputs: inputs, outputs: [current], attributes: attributes, docString: conv.docString)
        FusionRewrite.replace(pattern, with: fused, in: &graph)
        return "fused Conv '\(conv.displayName)' with " + parts.joined(separator: " and ")
    }
}
