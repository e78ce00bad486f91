import SwitchyardGraph
import SwitchyardTensor

/// Quantizes before data movement instead of after it:
///
///     QuantizeLinear(Concat(Resize(a), b))  ⇒  Concat(Resize(QuantizeLinear(a)), QuantizeLinear(b))
///
/// The movement operators (`QuantizedMovementFusion.movement`: copies, selections, maxima) commute
/// with a per-tensor QuantizeLinear, which is elementwise and increasing, so the bytes are the
/// same; they move at a quarter of the float's size, and each new QuantizeLinear ends the float
/// work that computes its input, which `QuantizedLookupFusion` or `QuantizedElementwiseFusion` may
/// then run on bytes. PP-OCR det's head concatenates four upsampled pyramid levels
/// (`x + x · hardsigmoid(s)` each) and quantizes the result: hoisted, each level is quantized
/// where it is computed and upsampled as bytes.
///
/// Under `.automatic`, only where every moved value is computed by elementwise float work (or
/// moved again), so a float neighbourhood keeps its float movement.
public struct QuantizeHoisting: GraphPass {
    public let name = "quantize-hoisting"
    public let execution: QuantizedExecution

    public init(execution: QuantizedExecution = .automatic) {
        self.execution = execution
    }

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        guard execution.rewritesQuantizedValues(in: graph) else { return [] }
        let facts = scope.facts(of: graph)
        var names = NameAllocator(graph)
        var changes: [String] = []
        var hoisted = true
        while hoisted {
            hoisted = false
            let usage = GraphUsage(graph)
            for index in graph.nodes.indices {
                if let change = hoist(at: index, in: &graph, usage: usage, facts: facts, names: &names) {
                    changes.append(change)
                    hoisted = true
                    break
                }
            }
        }
        return changes
    }

    /// Moves QuantizeLinear node `index` before the movement node that produces its input, when
    /// the pattern holds; returns the change.
    private func hoist(at index: Int, in graph: inout Graph, usage: GraphUsage, facts: [String: ValueFact],
                       names: inout NameAllocator) -> String? {
        let quantize = graph.nodes[index]
        guard quantize.opType == "QuantizeLinear", QDQFusion.isONNX(quantize), quantize.outputs.count == 1,
              let parameters = QDQParameters(graph, quantize, dataType: nil, facts: facts), parameters.isPerTensor,
              parameters.quantizedType == .uint8 || parameters.quantizedType == .int8,
              let producer = usage.producer[quantize.inputs[0]], usage.hasSingleUse(quantize.inputs[0], in: graph) else { return nil }
        let movement = graph.nodes[producer]
        guard QDQFusion.isONNX(movement), QuantizedMovementFusion.movement.contains(movement.opType),
              movement.opType != "Split", movement.outputs.count == 1, QuantizedMovementFusion.movesValues(movement)
        else { return nil }
        let positions = movement.opType == "Concat" ? Array(movement.inputs.indices) : [0]
        if execution == .automatic {
            let computed = QuantizedElementwiseFusion.computed.union(QuantizedLookupFusion.elementwise)
                .union(QuantizedMovementFusion.movement)
            for position in positions {
                guard let source = usage.producer[movement.inputs[position]],
                      computed.contains(graph.nodes[source].opType) else { return nil }
            }
        }
        var moved = movement
        var quantized: [Node] = []
        for position in positions {
            var early = quantize
            early.name = names.fresh("\(quantize.name)_\(movement.displayName)_\(position)")
            early.inputs[0] = movement.inputs[position]
            early.outputs = [names.fresh("\(movement.inputs[position])_quantized")]
            moved.inputs[position] = early.outputs[0]
            quantized.append(early)
        }
        moved.outputs = quantize.outputs
        graph.valueInfo[movement.outputs[0]] = nil
        var rewritten: [Node] = []
        for (position, node) in graph.nodes.enumerated() where position != index {
            rewritten += position == producer ? quantized + [moved] : [node]
        }
        graph.nodes = rewritten
        return "QuantizeLinear '\(quantize.displayName)' moved before \(movement.opType) '\(movement.displayName)' (\(positions.count) input\(positions.count == 1 ? "" : "s") quantized)"
    }
}
