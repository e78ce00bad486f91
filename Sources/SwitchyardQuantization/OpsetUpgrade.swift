import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

/// Moves a model from opset 10–12 to 13, the first opset whose DequantizeLinear takes per-channel
/// scales (`axis`). Rewrites the ops whose form changed at 13 (Squeeze/Unsqueeze/ReduceSum axes
/// and Split sizes move from attributes to inputs); refuses — nil, with the reason — what it
/// cannot prove equivalent (a Softmax over a non-last axis, control flow, Resize's removed mode).
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
                // Before 13 these flatten to 2-D at `axis` (default 1); equal to 13's meaning only
                // when `axis` is the last dimension.
                let axis = if case .int(let value)? = node.attributes["axis"] { value } else { 1 }
                if axis == -1 { continue }
                if facts == nil {
                    facts = ShapeInference.infer(graph, opsets: model.opsetImports, outer: [:],
                                                 inputShapes: inputShapes.mapValues { $0.map { .fixed($0) } })
                }
                guard let rank = facts?[node.inputs[0]]?.shape?.count, axis == rank - 1 else {
                    return .failure(UpgradeRefusal("\(node.opType) '\(node.displayName)' normalises from axis \(axis), not provably the last"))
                }
                node.attributes["axis"] = .int(-1)
            case "Resize":
                if case .string("tf_half_pixel_for_nn")? = node.attributes["coordinate_transformation_mode"] {
                    return .failure(UpgradeRefusal("Resize '\(node.displayName)' uses tf_half_pixel_for_nn, removed in opset 13"))
                }
            default:
                continue
            }
            graph.nodes[index] = node
        }
        model.graph = graph
        model.opsetImports[model.opsetImports["ai.onnx"] != nil ? "ai.onnx" : ""] = target
        model.irVersion = max(model.irVersion, 7)
        return .success(model)
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
