import SwitchyardGraph
import SwitchyardTensor

/// Propagates element types and (possibly symbolic) shapes through a graph, op by op. What
/// cannot be decided stays unknown: inference is never wrong, only sometimes silent. Small
/// integer values (shape arithmetic) are computed too, so `Shape → Gather → Concat → Reshape`
/// chains resolve whenever the dimensions involved are known.
public enum ShapeInference {
    /// Facts about every value of `graph`. `outer` holds what is known about names visible from
    /// enclosing graphs; `inputShapes` overrides the declared shapes of graph inputs.
    public static func infer(
        _ graph: Graph, opsets: [String: Int], outer: [String: ValueFact] = [:],
        inputShapes: [String: [Dimension]] = [:]
    ) -> [String: ValueFact] {
        var facts = outer
        for input in graph.inputs {
            var fact = ValueFact(input)
            if let shape = inputShapes[input.name] { fact.shape = shape }
            facts[input.name] = fact
        }
        for (name, tensor) in graph.initializers { facts[name] = ValueFact(tensor: tensor) }
        let bindings = symbolBindings(graph.inputs, inputShapes)

        for node in graph.nodes {
            let opset = opsets[node.domain] ?? opsets[""] ?? 1
            let inputFacts = node.inputs.map { $0.isEmpty ? nil : facts[$0] }
            let context = InferenceContext(node: node, opset: opset, inputs: inputFacts)
            var outputs = inferNode(context, graph: graph, opsets: opsets, facts: facts)
            for (index, name) in node.outputs.enumerated() where !name.isEmpty {
                var fact = index < outputs.count ? outputs[index] : ValueFact()
                if let declared = graph.valueInfo[name] {
                    fact = fact.filled(from: ValueFact(declared).binding(bindings))
                }
                facts[name] = fact
                if index < outputs.count { outputs[index] = fact }
            }
        }
        for output in graph.outputs {
            let declared = ValueFact(output).binding(bindings)
            facts[output.name] = (facts[output.name] ?? ValueFact()).filled(from: declared)
        }
        return facts
    }

    /// Concrete shapes of every value whose shape follows from the given input shapes (values
    /// whose size depends on data, such as `NonZero`'s output, are absent).
    public static func inferConcreteShapes(
        _ graph: Graph, opsets: [String: Int], inputs: [String: [Int]]
    ) -> [String: [Int]] {
        let facts = infer(graph, opsets: opsets, inputShapes: inputs.mapValues { $0.map(Dimension.fixed) })
        return facts.compactMapValues(\.concreteShape)
    }

    /// Writes the inferred type of every intermediate value and output into the graph's
    /// `valueInfo` (recursively into subgraphs).
    public static func annotate(_ graph: inout Graph, opsets: [String: Int], outer: [String: ValueFact] = [:]) {
        let facts = infer(graph, opsets: opsets, outer: outer)
        let local = graph.definedNames.subtracting(graph.inputs.map(\.name)).subtracting(graph.initializers.keys)
        for name in local {
            if let fact = facts[name] { graph.valueInfo[name] = fact.valueInfo(name: name) }
        }
        let inner = facts.mapValues(\.withoutValue)
        for index in graph.nodes.indices {
            graph.nodes[index].transformSubgraphs { annotate(&$0, opsets: opsets, outer: inner) }
        }
    }

    /// Symbol → size, from the declared symbolic dimensions of inputs given concrete shapes.
    private static func symbolBindings(_ inputs: [ValueInfo], _ shapes: [String: [Dimension]]) -> [String: Int] {
        var bindings: [String: Int] = [:]
        for input in inputs {
            guard let declared = input.shape, let given = shapes[input.name], declared.count == given.count else { continue }
            for case (.symbolic(let name), .fixed(let size)) in zip(declared, given) where name != "?" {
                bindings[name] = size
            }
        }
        return bindings
    }

    private static func inferNode(
        _ context: InferenceContext, graph: Graph, opsets: [String: Int], facts: [String: ValueFact]
    ) -> [ValueFact] {
        let node = context.node
        // Control flow runs its subgraphs; a QuantizedElementwise body is only its reference, and
        // the node has a rule of its own.
        if !node.subgraphs.isEmpty && !QuantizedElementwiseFusion.isFused(node) {
            return ControlFlowShapes.infer(context, opsets: opsets, visible: facts)
        }
        var outputs = ShapeRules.rule(for: node).map { $0(context) } ?? []
        // Small values whose inputs are all known are computed outright.
        if let evaluated = ConstantEvaluator.evaluateSmall(context, predicted: outputs) {
            outputs = evaluated.map(ValueFact.init(tensor:))
        } else {
            for index in outputs.indices where outputs[index].constant == nil {
                outputs[index].materializeElements()
            }
        }
        return outputs
    }
}

extension ValueFact {
    /// This fact with symbolic dimensions replaced by their bound sizes.
    func binding(_ bindings: [String: Int]) -> ValueFact {
        guard !bindings.isEmpty, let shape else { return self }
        var result = self
        result.shape = shape.map { dimension in
            if case .symbolic(let name) = dimension, let size = bindings[name] { return .fixed(size) }
            return dimension
        }
        return result
    }

    /// Turns fully known `elements` into a constant int64 tensor, so later nodes can compute with it.
    mutating func materializeElements() {
        guard constant == nil, let elements, let shape, shape.count <= 1,
              dataType == .int64 || dataType == .int32 else { return }
        var values: [Int64] = []
        for element in elements {
            guard let value = element.fixedValue else { return }
            values.append(Int64(value))
        }
        let concreteShape = shape.isEmpty ? [] : [values.count]
        guard concreteShape.reduce(1, *) == values.count else { return }
        constant = Tensor(dataType: dataType!, shape: concreteShape, int64s: values)
    }
}
