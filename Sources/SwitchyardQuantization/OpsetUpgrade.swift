import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

/// Moves a model from opset 10–12 to 13, the first opset whose DequantizeLinear takes per-channel
/// scales (`axis`). Rewrites the ops whose form changed at 13 (Squeeze/Unsqueeze/ReduceSum axes
/// and Split sizes move from attributes to inputs; a Softmax, LogSoftmax or Hardmax whose axis is
/// not provably the last becomes Flatten → op → Reshape, its pre-13 definition); refuses — with
/// the reason — what it cannot prove equivalent (control flow, Resize's removed mode).
enum OpsetUpgrade {
    static let target = 13

    /// `inputShapes` (e.g. a calibration sample's) let shape inference prove more axes last.
    static func toOpset13(_ model: Model, inputShapes: [String: [Int]] = [:]) -> Result<Model, UpgradeRefusal> {
        let opset = model.defaultOpset
        guard opset < target else { return .success(model) }
        guard opset >= 10 else { return .failure(UpgradeRefusal("opset \(opset) is older than 10")) }
        var model = model
        var graph = model.graph
        if let node = graph.nodes.first(where: holdsSubgraph) {
            return .failure(UpgradeRefusal("'\(node.displayName)' holds a subgraph"))
        }
        var names = NameAllocator(graph)
        var facts: [String: ValueFact]?
        // Nodes replaced by several, by index; spliced in after the walk so indices stay valid.
        var rewritten: [Int: [Node]] = [:]
        for index in graph.nodes.indices {
            var node = graph.nodes[index]
            guard node.domain.isEmpty || node.domain == "ai.onnx" else { continue }
            switch node.opType {
            case "Squeeze", "Unsqueeze", "ReduceSum":
                guard case .ints(let axes)? = node.attributes["axes"] else { continue }
                node.attributes["axes"] = nil
                let name = names.fresh("\(node.displayName)_axes")
                graph.initializers[name] = Tensor(shape: [axes.count], scalars: axes.map(Int64.init))
                node.inputs = [node.inputs[0], name]
            case "Split":
                guard case .ints(let sizes)? = node.attributes["split"] else { continue }
                node.attributes["split"] = nil
                let name = names.fresh("\(node.displayName)_split")
                graph.initializers[name] = Tensor(shape: [sizes.count], scalars: sizes.map(Int64.init))
                node.inputs = [node.inputs[0], name]
            case "Softmax", "LogSoftmax", "Hardmax":
                // Before 13 these flatten to 2-D at `axis` (default 1); the same as 13's meaning
                // when `axis` is the last dimension, else rewritten as that flattening.
                let axis = if case .int(let value)? = node.attributes["axis"] { value } else { 1 }
                if axis == -1 { continue }
                if facts == nil {
                    // The source graph: the nodes already rewritten here use opset 13's form.
                    facts = ShapeInference.infer(model.graph, opsets: model.opsetImports, outer: [:],
                                                 inputShapes: inputShapes.mapValues { $0.map { .fixed($0) } })
                }
                if let rank = facts?[node.inputs[0]]?.shape?.count, axis == rank - 1 {
                    node.attributes["axis"] = .int(-1)
                } else {
                    rewritten[index] = flattened(node, axis: axis, names: &names)
                    continue
                }
            case "Resize":
                if case .string("tf_half_pixel_for_nn")? = node.attributes["coordinate_transformation_mode"] {
                    return .failure(UpgradeRefusal("Resize '\(node.displayName)' uses tf_half_pixel_for_nn, removed in opset 13"))
                }
            default:
                continue
            }
            graph.nodes[index] = node
        }
        for index in rewritten.keys.sorted(by: >) {
            graph.nodes.replaceSubrange(index...index, with: rewritten[index]!)
        }
        model.graph = graph
        model.opsetImports[model.opsetImports["ai.onnx"] != nil ? "ai.onnx" : ""] = target
        model.irVersion = max(model.irVersion, 7)
        return .success(model)
    }

    /// An opset < 13 Softmax-family `node` over `axis` in opset 13's terms: Flatten(axis) → op over
    /// the last axis → Reshape back to the input's shape (exactly the old definition).
    private static func flattened(_ node: Node, axis: Int, names: inout NameAllocator) -> [Node] {
        let input = node.inputs[0], label = node.displayName
        let shape = names.fresh("\(label)_input_shape"), flat = names.fresh("\(label)_flattened")
        let normalised = names.fresh("\(label)_flat_output")
        var inner = node
        inner.name = names.fresh("\(label)_2d")
        inner.inputs = [flat]
        inner.outputs = [normalised]
        inner.attributes["axis"] = .int(-1)
        return [
            Node(name: names.fresh("\(label)_Shape"), opType: "Shape", inputs: [input], outputs: [shape]),
            Node(name: names.fresh("\(label)_Flatten"), opType: "Flatten", inputs: [input], outputs: [flat],
                 attributes: ["axis": .int(axis)]),
            inner,
            Node(name: node.name.isEmpty ? names.fresh("\(label)_Reshape") : node.name, opType: "Reshape",
                 inputs: [normalised, shape], outputs: node.outputs),
        ]
    }

    private static func holdsSubgraph(_ node: Node) -> Bool {
        node.attributes.values.contains { attribute in
            switch attribute {
            case .graph, .graphs: true
            default: false
            }
        }
    }

    struct UpgradeRefusal: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
