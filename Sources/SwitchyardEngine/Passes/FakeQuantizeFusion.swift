import SwitchyardGraph
import SwitchyardTensor

/// Replaces each activation's `QuantizeLinear → DequantizeLinear` round trip that stays between
/// float operators by one `ai.switchyard` FakeQuantize node computing the same numbers in float:
///
///     y = (saturate(round(x / scale) + zero_point) − zero_point) · scale
///
/// FakeQuantize is elementwise, so oneDNN runs it as an eltwise chain (linear → round → clip →
/// linear) fused as post-ops into the convolution or binary primitive before it
/// (`DNNLRegionPartitioner`): a QDQ model whose layers `QDQFusion` leaves on the float path (by
/// `QuantizedExecution`'s rule, or because int8 cannot compute them exactly here) runs at float
/// speed with the QDQ model's quantization. Weights dequantized by constant DequantizeLinear nodes
/// are folded to float once by `ConstantFolding`.
///
/// Runs after `QDQFusion` and `QuantizedLookupFusion` in each round, so the pairs they turn into
/// integer operators are gone; a pair is rewritten only when the 8-bit value is read by
/// DequantizeLinear nodes with the same per-tensor constant parameters and nothing else.
public struct FakeQuantizeFusion: GraphPass {
    public let name = "fake-quantize"
    public static let opType = "FakeQuantize"

    public init() {}

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        guard (scope.opsets[""] ?? 1) >= 10,
              graph.nodes.contains(where: { $0.opType == "QuantizeLinear" && QDQFusion.isONNX($0) }) else { return [] }
        let facts = scope.facts(of: graph)
        let usage = GraphUsage(graph)
        var replacements: [Int: Node] = [:]
        var removed = Set<Int>()
        var changes: [String] = []
        for (index, quantize) in graph.nodes.enumerated() {
            guard quantize.opType == "QuantizeLinear", QDQFusion.isONNX(quantize), quantize.outputs.count == 1,
                  facts[quantize.inputs[0]]?.dataType == .float32,
                  let parameters = QDQParameters(graph, quantize, dataType: nil, facts: facts), parameters.isPerTensor,
                  parameters.quantizedType == .uint8 || parameters.quantizedType == .int8,
                  quantize.attributes["output_dtype"] == nil || parameters.zeroPointName != nil,
                  !usage.graphOutputs.contains(quantize.outputs[0]) else { continue }
            let readers = usage.consumers(of: quantize.outputs[0])
            guard !readers.isEmpty, readers.allSatisfy({ reader in
                Self.dequantizes(graph.nodes[reader], quantize.outputs[0], like: parameters, graph: graph, facts: facts)
            }) else { continue }
            for reader in readers {
                replacements[reader] = Self.node(replacing: quantize, and: graph.nodes[reader], parameters: parameters)
            }
            removed.insert(index)
            changes.append("QuantizeLinear '\(quantize.displayName)' → DequantizeLinear became \(Self.opType) (scale \(parameters.scales[0]), zero point \(parameters.zeroPoints[0]))")
        }
        guard !changes.isEmpty else { return [] }
        for index in removed { graph.valueInfo[graph.nodes[index].outputs[0]] = nil }
        graph.nodes = graph.nodes.indices.filter { !removed.contains($0) }.map { replacements[$0] ?? graph.nodes[$0] }
        return changes
    }

    /// True when `node` is a DequantizeLinear of exactly `value` with the same per-tensor
    /// scale and zero point as the QuantizeLinear that made it.
    private static func dequantizes(_ node: Node, _ value: String, like parameters: QDQParameters, graph: Graph,
                                    facts: [String: ValueFact]) -> Bool {
        guard node.opType == "DequantizeLinear", QDQFusion.isONNX(node), node.outputs.count == 1,
              node.inputs.first == value, node.attributes["output_dtype"] == nil,
              let own = QDQParameters(graph, node, dataType: parameters.quantizedType, facts: facts),
              own.isPerTensor else { return false }
        return Float(own.scales[0]) == Float(parameters.scales[0]) && own.zeroPoints[0] == parameters.zeroPoints[0]
    }

    private static func node(replacing quantize: Node, and dequantize: Node, parameters: QDQParameters) -> Node {
        Node(name: dequantize.name.isEmpty ? quantize.name : dequantize.name, opType: opType,
             domain: ReferenceKernels.switchyardDomain, inputs: [quantize.inputs[0]], outputs: dequantize.outputs,
             attributes: [
                "scale": .float(Float(parameters.scales[0])),
                "zero_point": .int(Int(parameters.zeroPoints[0])),
                "quantized_type": .int(Int(parameters.quantizedType.rawValue)),
             ], docString: quantize.docString)
    }
}
