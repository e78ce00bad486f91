import SwitchyardGraph
import SwitchyardTensor

/// Turns `Constant` nodes into initializers, so every later pass sees one kind of constant.
public struct ConstantNodesToInitializers: GraphPass {
    public let name = "constant-to-initializer"
    public init() {}

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        var converted = 0
        var bytes = 0
        graph.nodes.removeAll { node in
            guard node.opType == "Constant", node.domain.isEmpty || node.domain == "ai.onnx",
                  node.outputs.count == 1, !node.outputs[0].isEmpty,
                  let tensor = ConstantValue.tensor(of: node) else { return false }
            graph.initializers[node.outputs[0]] = tensor
            converted += 1
            bytes += tensor.byteCount
            return true
        }
        return converted == 0 ? [] : ["\(converted) Constant node\(converted == 1 ? "" : "s") became initializers (\(bytes) bytes)"]
    }
}
