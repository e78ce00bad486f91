import SwitchyardGraph
import SwitchyardTensor

/// Rewrites `GlobalAveragePool(DequantizeLinear(x))` over 8-bit `x` as one `ai.switchyard`
/// DequantizedMean node that averages the bytes and dequantizes the means (inputs `x, x_scale,
/// x_zero_point`; a float32 output of GlobalAveragePool's shape). A squeeze-excitation block of
/// an int8 model reads its int8 layer's output this way (PP-OCR cls, ten times): the float graph
/// writes the whole dequantized tensor, four bytes per element, only to read it back for a mean.
///
/// The means are `(Σ q − count · zero) · scale / count`, the integers summed exactly: they differ
/// from the float graph's sum of dequantized values only in its float rounding.
///
/// Under `.automatic` only where an int8 operator produces `x`, as the other byte passes.
public struct DequantizedMeanFusion: GraphPass {
    public let name = "dequantized-mean"
    public static let opType = "DequantizedMean"

    public let execution: QuantizedExecution

    public init(execution: QuantizedExecution = .automatic) {
        self.execution = execution
    }

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        guard execution.rewritesQuantizedValues(in: graph) else { return [] }
        let facts = scope.facts(of: graph)
        let usage = GraphUsage(graph)
        var changes: [String] = []
        for index in graph.nodes.indices {
            let pool = graph.nodes[index]
            guard pool.opType == "GlobalAveragePool", QDQFusion.isONNX(pool), pool.inputs.count == 1,
                  pool.outputs.count == 1, let producer = usage.producer[pool.inputs[0]] else { continue }
            let dequantize = graph.nodes[producer]
            guard dequantize.opType == "DequantizeLinear", QDQFusion.isONNX(dequantize),
                  let parameters = QDQParameters(graph, dequantize, dataType: nil, facts: facts), parameters.isPerTensor,
                  let type = facts[dequantize.inputs[0]]?.dataType, type == .uint8 || type == .int8,
                  (facts[dequantize.inputs[0]]?.shape?.count ?? 0) >= 3,
                  execution == .integer
                    || QuantizedLookupFusion.isIntegerProduct(dequantize.inputs[0], graph: graph, usage: usage)
            else { continue }
            graph.nodes[index] = Node(name: pool.name, opType: Self.opType, domain: ReferenceKernels.switchyardDomain,
                                      inputs: Array(dequantize.inputs.prefix(3)), outputs: pool.outputs,
                                      docString: pool.docString)
            changes.append("DequantizeLinear '\(dequantize.displayName)' → GlobalAveragePool '\(pool.displayName)' became a DequantizedMean over the bytes")
        }
        return changes
    }
}
