import SwitchyardGraph
import SwitchyardTensor

/// Fuses `MatMul [+ Add bias] [+ activation]` into `ai.switchyard.FusedMatMul` (notes/fused.md).
/// The bias must be a constant vector along the last axis; it is stored as a 1-D initializer.
public struct MatMulFusion: GraphPass {
    public let name = "matmul-fusion"
    /// Activation names (`FusedActivation.name`) this pass may fuse.
    public let activations: Set<String>

    public init(activations: Set<String> = FusedActivation.fusedByDefault) {
        self.activations = activations
    }

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        guard scope.hasKernel("MatMul"), graph.nodes.contains(where: { $0.opType == "MatMul" && $0.domain.isEmpty }) else { return [] }
        let facts = scope.facts(of: graph)
        var names = NameAllocator(graph)
        var changes: [String] = []
        var index = 0
        while index < graph.nodes.count {
            if let change = fuse(at: index, in: &graph, facts: facts, names: &names) {
                changes.append(change)
            } else {
                index += 1
            }
        }
        return changes
    }

    private func fuse(at index: Int, in graph: inout Graph, facts: [String: ValueFact], names: inout NameAllocator) -> String? {
        let matMul = graph.nodes[index]
        guard matMul.opType == "MatMul", matMul.domain.isEmpty || matMul.domain == "ai.onnx",
              matMul.inputs.count == 2, matMul.outputs.count == 1,
              let outputFact = facts[matMul.outputs[0]], outputFact.dataType == .float32,
              let outputShape = outputFact.shape, outputShape.count >= 1 else { return nil }
        let usage = GraphUsage(graph)
        var current = matMul.outputs[0]
        var pattern: Set<Int> = [index]
        var biasName: String?
        var parts: [String] = []

        if usage.hasSingleUse(current, in: graph), let addIndex = usage.consumers(of: current).first {
            let add = graph.nodes[addIndex]
            if add.opType == "Add", add.domain.isEmpty || add.domain == "ai.onnx", add.inputs.count == 2, add.outputs.count == 1 {
                let other = add.inputs[0] == current ? add.inputs[1] : add.inputs[0]
                if let bias = graph.initializers[other], bias.dataType == .float32, bias.rank <= outputShape.count,
                   let columns = outputShape.last?.fixedValue, bias.count == columns,
                   bias.shape.dropLast().allSatisfy({ $0 == 1 }), bias.shape.last == columns {
                    if bias.rank == 1 {
                        biasName = other
                    } else {
                        let name = names.fresh("\(other)_vector")
                        graph.initializers[name] = bias.reshaped([columns])
                        biasName = name
                    }
                    pattern.insert(addIndex)
                    current = add.outputs[0]
                    parts.append("bias Add '\(add.displayName)'")
                }
            }
        }
        let activation = ActivationMatcher.match(current, in: graph, usage: usage, allowed: activations)?
            .absorb(into: &pattern, output: &current, parts: &parts)
        guard pattern.count > 1 else { return nil }

        var attributes = matMul.attributes
        if let activation { attributes.merge(activation.attributes) { $1 } }
        let fused = Node(name: matMul.name, opType: "FusedMatMul", domain: ReferenceKernels.switchyardDomain,
                         inputs: matMul.inputs + (biasName.map { [$0] } ?? []), outputs: [current],
                         attributes: attributes, docString: matMul.docString)
        FusionRewrite.replace(pattern, with: fused, in: &graph)
        return "fused MatMul '\(matMul.displayName)' with " + parts.joined(separator: " and ")
    }
}
