import SwitchyardGraph
import SwitchyardTensor

/// Whether a model computes each item of a batch from that item alone, so that a batch can be
/// cut along dim 0 into pieces that run at once on separate threads (`Session` does so when it
/// has more than one thread; see `BatchSplitRun`).
///
/// Decided from the graph, before any run: dim 0 of every input gets one symbol, shape inference
/// carries it through (an attention block may move it to another axis and back), and every node
/// that reads batched data must be an operator known to keep items apart, used in a way that
/// does (a Softmax over another axis than the batch; a broadcast operand that does not vary
/// along it). Values computed from the batch *size* may steer shapes but not be mixed into data.
/// An operator the rules do not know, a shape inference could not follow, or a node that mixes
/// items (a reduction over the batch, NonMaxSuppression, a recurrent layer) makes the model not
/// separable: the answer is never a guess.
public enum BatchSeparability: Sendable, Equatable {
    case separable
    /// The model cannot be cut along its batch; the reason names the node.
    case notSeparable(String)

    public var isSeparable: Bool { self == .separable }

    /// What a value is, as far as cutting the batch goes.
    enum Role: Equatable {
        /// The same for every piece: constants, and values computed from the inputs' other
        /// dimensions (a feature map's height).
        case fixed
        /// Computed from the batch size: may steer shapes, must not be mixed into data.
        case sizeDependent
        /// Data holding the batch at `axis`, item i computed from the inputs' item i only.
        case batched(axis: Int)

        var isBatched: Bool {
            if case .batched = self { return true }
            return false
        }
    }

    /// The verdict for `graph` (an optimized graph, as `LoadedModel` holds it).
    public static func analyze(_ graph: Graph, opsets: [String: Int]) -> BatchSeparability {
        guard !graph.inputs.isEmpty else { return .notSeparable("the model has no inputs") }
        var inputShapes: [String: [Dimension]] = [:]
        for input in graph.inputs {
            guard let shape = input.shape, !shape.isEmpty else {
                return .notSeparable("input '\(input.name)' has no batch dimension (its rank is \(input.shape.map { "\($0.count)" } ?? "unknown"))")
            }
            if case .fixed = shape[0] {
                return .notSeparable("input '\(input.name)' has a fixed first dimension (\(shape[0])), so the model takes no batch")
            }
            // Unnamed free dimensions get names of their own, so values computed from them are
            // known not to be the batch size.
            let rest = shape.dropFirst().enumerated().map { index, dimension in
                dimension == .unknown || dimension == .symbolic("?") ? .symbolic("switchyard.\(input.name).\(index + 1)") : dimension
            }
            inputShapes[input.name] = [batch] + rest
        }
        let facts = ShapeInference.infer(graph, opsets: opsets, inputShapes: inputShapes)
        var roles: [String: Role] = [:]
        var shapeVectors = ShapeVectors()
        for input in graph.inputs { roles[input.name] = .batched(axis: 0) }
        for name in graph.initializers.keys { roles[name] = .fixed }

        for node in graph.nodes {
            let opset = opsets[node.domain] ?? opsets[""] ?? 1
            let context = InferenceContext(node: node, opset: opset, inputs: node.inputs.map { $0.isEmpty ? nil : facts[$0] })
            let inputRoles = node.inputs.map { $0.isEmpty ? nil : roles[$0] ?? .fixed }
            let captured = node.subgraphCaptures().map { roles[$0] ?? .fixed }
            let outputs = node.outputs.filter { !$0.isEmpty }
            guard inputRoles.contains(where: { $0?.isBatched == true }) || captured.contains(where: \.isBatched) else {
                let role = shapeVectors.role(of: node, context: context, inputRoles: inputRoles, captured: captured)
                for name in outputs {
                    roles[name] = role == .sizeDependent && filledPerItem(node, inputRoles: inputRoles)
                        ? batchRole(facts[name]) ?? .sizeDependent : role
                }
                continue
            }
            if producesShape.contains(node.opType) {
                shapeVectors.recordShape(of: node, inputRole: inputRoles.first.flatMap { $0 }, rank: context.shape(0)?.count)
                for name in outputs { roles[name] = shapeVectors.isSizeDependent(name) ? .sizeDependent : .fixed }
                continue
            }
            var outputRoles: [Role] = []
            for name in outputs {
                guard let role = batchRole(facts[name]) else {
                    return .notSeparable("node '\(node.displayName)' (\(node.opType)): shape inference cannot show where output '\(name)' keeps the batch")
                }
                outputRoles.append(role)
            }
            let operands = Operands(context: context, roles: inputRoles, outputRoles: outputRoles, facts: facts)
            if let reason = itemwiseViolation(operands) {
                return .notSeparable("node '\(node.displayName)' (\(node.opType)) \(reason)")
            }
            for (name, role) in zip(outputs, outputRoles) { roles[name] = role }
        }
        for output in graph.outputs where roles[output.name] != .batched(axis: 0) {
            return .notSeparable("output '\(output.name)' is not computed per item with the batch first")
        }
        return .separable
    }

    /// The symbol the analysis gives the batch dimension.
    static let batch = Dimension.symbolic("switchyard.batch")

    /// Operators whose output is a shape, not data.
    static let producesShape: Set<String> = ["Shape", "Size"]

    /// The role of a value holding the batch symbol exactly once, or nil.
    static func batchRole(_ fact: ValueFact?) -> Role? {
        guard let shape = fact?.shape, let axis = shape.firstIndex(of: batch),
              shape.lastIndex(of: batch) == axis else { return nil }
        return .batched(axis: axis)
    }

    /// A tensor filled with one value per item (a ConstantOfShape of a shape holding the batch
    /// size, an Expand of a constant to one): batch data, though computed from no data.
    private static func filledPerItem(_ node: Node, inputRoles: [Role?]) -> Bool {
        guard node.domain.isEmpty else { return false }
        switch node.opType {
        case "ConstantOfShape": return true
        case "Expand": return inputRoles.first == .some(.fixed)
        default: return false
        }
    }
}
