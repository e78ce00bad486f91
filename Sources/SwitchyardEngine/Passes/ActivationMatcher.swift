import SwitchyardGraph
import SwitchyardTensor

/// Recognizes an activation applied to a value, as one ONNX node (`Relu`, `Clip`…) or as the
/// decomposed forms exporters emit: `x * Sigmoid(x)` (Swish), `x * HardSigmoid(x)` and
/// PaddleOCR's `x * Clip(x + 3, 0, 6) / 6` (HardSwish).
struct ActivationMatch {
    let activation: FusedActivation
    /// The value holding the activated result.
    let output: String
    /// Indices of the nodes the pattern consists of.
    let nodes: Set<Int>

    /// Extends a fusion `pattern` with this activation: adds its nodes, moves the pattern's
    /// `output` past it and describes it in `parts` (for the optimization report).
    func absorb(into pattern: inout Set<Int>, output: inout String, parts: inout [String]) -> FusedActivation {
        pattern.formUnion(nodes)
        output = self.output
        parts.append("\(activation.name) activation (\(nodes.count) node\(nodes.count == 1 ? "" : "s"))")
        return activation
    }
}

enum ActivationMatcher {
    /// The activation applied to `value`, when every reader of `value` belongs to the pattern and
    /// every intermediate value of the pattern has no other reader.
    static func match(_ value: String, in graph: Graph, usage: GraphUsage, allowed: Set<String>) -> ActivationMatch? {
        guard let match = match(value, in: graph, usage: usage), allowed.contains(match.activation.name) else { return nil }
        return match
    }

    private static func match(_ value: String, in graph: Graph, usage: GraphUsage) -> ActivationMatch? {
        guard !usage.graphOutputs.contains(value) else { return nil }
        let readers = usage.consumers(of: value)
        if readers.count == 1, usage.hasSingleUse(value, in: graph) {
            let node = graph.nodes[readers[0]]
            guard isDefault(node), node.inputs.first == value, node.outputs.count == 1,
                  let activation = single(node, graph: graph) else { return nil }
            return ActivationMatch(activation: activation, output: node.outputs[0], nodes: [readers[0]])
        }
        if readers.count == 2 {
            for (first, second) in [(readers[0], readers[1]), (readers[1], readers[0])] {
                if let match = gated(value, gate: first, multiply: second, graph: graph, usage: usage) { return match }
                if let match = paddleHardSwish(value, add: first, multiply: second, graph: graph, usage: usage) { return match }
            }
        }
        return nil
    }

    /// One activation node.
    private static func single(_ node: Node, graph: Graph) -> FusedActivation? {
        switch node.opType {
        case "Relu": return .relu
        case "Sigmoid": return .sigmoid
        case "Tanh": return .tanh
        case "HardSwish": return .hardSwish
        case "LeakyRelu": return .leakyRelu(alpha: floatAttribute(node, "alpha") ?? 0.01)
        case "Elu": return .elu(alpha: floatAttribute(node, "alpha") ?? 1)
        case "HardSigmoid":
            return .hardSigmoid(alpha: floatAttribute(node, "alpha") ?? 0.2, beta: floatAttribute(node, "beta") ?? 0.5)
        case "Gelu":
            if case .string(let mode)? = node.attributes["approximate"], mode != "none" { return nil }
            return .gelu
        case "Clip":
            if node.inputs.count == 1 {
                // Before opset 11 the bounds are attributes.
                return .clip(min: floatAttribute(node, "min") ?? -.infinity, max: floatAttribute(node, "max") ?? .infinity)
            }
            var bounds: [Float] = [-.infinity, .infinity]
            for position in 1..<min(node.inputs.count, 3) where !node.inputs[position].isEmpty {
                guard let bound = scalar(node.inputs[position], in: graph) else { return nil }
                bounds[position - 1] = bound
            }
            return .clip(min: bounds[0], max: bounds[1])
        default: return nil
        }
    }

    /// `value * gate(value)` with gate Sigmoid (Swish) or HardSigmoid(1/6, 1/2) (HardSwish).
    private static func gated(_ value: String, gate gateIndex: Int, multiply multiplyIndex: Int,
                              graph: Graph, usage: GraphUsage) -> ActivationMatch? {
        let gate = graph.nodes[gateIndex], product = graph.nodes[multiplyIndex]
        guard isDefault(gate), gate.inputs == [value], gate.outputs.count == 1,
              usage.hasSingleUse(gate.outputs[0], in: graph),
              isProduct(product, of: value, and: gate.outputs[0]) else { return nil }
        let activation: FusedActivation
        switch gate.opType {
        case "Sigmoid": activation = .swish(alpha: 1)
        case "HardSigmoid":
            let alpha = floatAttribute(gate, "alpha") ?? 0.2, beta = floatAttribute(gate, "beta") ?? 0.5
            guard abs(alpha - 1.0 / 6) < 1e-6, abs(beta - 0.5) < 1e-6 else { return nil }
            activation = .hardSwish
        default: return nil
        }
        return ActivationMatch(activation: activation, output: product.outputs[0], nodes: [gateIndex, multiplyIndex])
    }

    /// `value * Clip(value + 3, 0, 6) / 6`, the way PaddleOCR exports HardSwish.
    private static func paddleHardSwish(_ value: String, add addIndex: Int, multiply multiplyIndex: Int,
                                        graph: Graph, usage: GraphUsage) -> ActivationMatch? {
        let add = graph.nodes[addIndex], product = graph.nodes[multiplyIndex]
        guard isDefault(add), add.opType == "Add", add.inputs.count == 2, add.outputs.count == 1,
              let offset = otherScalar(add, value, graph: graph), offset == 3,
              usage.hasSingleUse(add.outputs[0], in: graph),
              let clipIndex = usage.consumers(of: add.outputs[0]).first else { return nil }
        let clip = graph.nodes[clipIndex]
        guard isDefault(clip), clip.opType == "Clip", clip.inputs.first == add.outputs[0], clip.outputs.count == 1,
              single(clip, graph: graph) == .clip(min: 0, max: 6),
              usage.hasSingleUse(clip.outputs[0], in: graph),
              isProduct(product, of: value, and: clip.outputs[0]),
              usage.hasSingleUse(product.outputs[0], in: graph),
              let scaleIndex = usage.consumers(of: product.outputs[0]).first else { return nil }
        let scale = graph.nodes[scaleIndex]
        guard isDefault(scale), scale.inputs.first == product.outputs[0], scale.outputs.count == 1,
              let divisor = otherScalar(scale, product.outputs[0], graph: graph) else { return nil }
        let isSixth = (scale.opType == "Div" && divisor == 6) || (scale.opType == "Mul" && abs(divisor - 1.0 / 6) < 1e-6)
        guard isSixth else { return nil }
        return ActivationMatch(activation: .hardSwish, output: scale.outputs[0],
                               nodes: [addIndex, clipIndex, multiplyIndex, scaleIndex])
    }

    private static func isProduct(_ node: Node, of a: String, and b: String) -> Bool {
        isDefault(node) && node.opType == "Mul" && node.outputs.count == 1
            && (node.inputs == [a, b] || node.inputs == [b, a])
    }

    private static func isDefault(_ node: Node) -> Bool {
        (node.domain.isEmpty || node.domain == "ai.onnx") && node.subgraphs.isEmpty
    }

    /// The scalar constant `node` combines with `value` (its other input).
    private static func otherScalar(_ node: Node, _ value: String, graph: Graph) -> Float? {
        guard node.inputs.count == 2 else { return nil }
        if node.inputs[0] == value { return scalar(node.inputs[1], in: graph) }
        // Only commutative ops may have the value second.
        if node.inputs[1] == value && (node.opType == "Add" || node.opType == "Mul") { return scalar(node.inputs[0], in: graph) }
        return nil
    }

    static func scalar(_ name: String, in graph: Graph) -> Float? {
        guard let tensor = graph.initializers[name], tensor.count == 1, tensor.rank <= 1,
              tensor.dataType.isFloatingPoint else { return nil }
        return tensor.floats()[0]
    }

    private static func floatAttribute(_ node: Node, _ name: String) -> Float? {
        switch node.attributes[name] {
        case .float(let value)?: value
        case .int(let value)?: Float(value)
        default: nil
        }
    }
}

/// The activations applied to a graph's values, for code outside the engine's passes (the
/// quantizer places a layer's output quantization after the activation the engine fuses).
public struct ActivationFinder {
    private let graph: Graph
    private let usage: GraphUsage

    public init(_ graph: Graph) {
        self.graph = graph
        usage = GraphUsage(graph)
    }

    /// The activation applied to `value` and the value holding its result, when an activation
    /// whose `FusedActivation` name is in `allowed` (one node or a decomposed form) is all that
    /// reads `value`.
    public func activation(after value: String, allowed: Set<String>) -> (activation: FusedActivation, output: String)? {
        ActivationMatcher.match(value, in: graph, usage: usage, allowed: allowed).map { ($0.activation, $0.output) }
    }
}
