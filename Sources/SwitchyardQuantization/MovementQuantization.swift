import SwitchyardEngine
import SwitchyardGraph

/// Where the data movement between int8 layers is quantized, so that it runs on bytes
/// (`QuantizedMovementFusion`) instead of dequantizing, moving floats and quantizing again.
///
/// A Concat, Split, MaxPool, nearest Resize or reshaping node whose data inputs are all quantized
/// is quantized at its outputs too, when a quantized layer (or another such node) reads them.
/// YOLOv8's C2f block is the case this is for: a Split of one convolution's output, bottlenecks
/// and a Concat of all of them into the next convolution, where the float round trips cost 19 % of
/// the int8 model's time. A residual Add of two quantized values that such a node reads is
/// quantized at its output as well, so the block has no float member left; the engine computes it
/// as a byte table (`QuantizedLookupFusion`).
///
/// Ranges (`sharing`): nodes that select values (MaxPool, Resize, reshaping) share their input's
/// scale, so their bytes move unchanged. Split parts, Concat results and Adds keep their own
/// calibrated ranges: a part often spans far less than the whole (YOLOv8n's bottleneck inputs:
/// 2.8× less), and a shared range would cost that precision where the next convolution reads it;
/// the engine requantizes them with a 256-entry table as it moves them. A value only a Concat
/// reads takes the Concat's range instead, so it is rounded once.
struct MovementQuantization {
    /// Values quantized beyond the plan's activations, in graph order.
    private(set) var extraActivations: [String] = []
    /// Those among them that take their own calibrated range.
    private(set) var calibrated: [String] = []
    /// Nodes whose data moves as bytes, for the report.
    private(set) var movementNodes = 0
    /// Output → the input whose range it shares (value-selecting nodes).
    private var sharedWith: [String: String] = [:]
    /// Value → the Concat output whose range it takes, as the Concat is its only reader.
    private var joins: [String: String] = [:]
    /// Concat output → its inputs.
    private var concatenated: [String: [String]] = [:]

    /// The values to quantize in `graph` given the values `quantized` by the plan. With
    /// `observable`, a node whose output needs its own range joins only when calibration
    /// observed that output.
    init(graph: Graph, quantized: [String], observable: Set<String>? = nil) {
        let graphOutputs = Set(graph.outputs.map(\.name))
        let planned = Set(quantized)
        var isQuantized = planned
        var candidates: [(index: Int, data: [String], moves: Bool)] = []
        for (index, node) in graph.nodes.enumerated() {
            guard node.domain.isEmpty || node.domain == "ai.onnx", !node.outputs.isEmpty,
                  node.outputs.allSatisfy({ !$0.isEmpty && !graphOutputs.contains($0) }) else { continue }
            let data: [String], moves: Bool
            if QuantizedMovementFusion.movement.contains(node.opType), QuantizedMovementFusion.movesValues(node) {
                data = node.opType == "Concat" ? node.inputs : Array(node.inputs.prefix(1))
                moves = true
            } else if node.opType == "Add", node.inputs.count == 2, node.inputs.allSatisfy({ graph.initializers[$0] == nil }) {
                data = node.inputs
                moves = false
            } else {
                continue
            }
            let ownRange = !moves || Self.keepsOwnRange(node.opType)
            if ownRange, let observable, !node.outputs.allSatisfy({ planned.contains($0) || observable.contains($0) }) {
                continue
            }
            guard !data.isEmpty, data.allSatisfy({ isQuantized.contains($0) }) else { continue }
            candidates.append((index, data, moves))
            isQuantized.formUnion(node.outputs)
        }
        // Keep a candidate only when a quantized layer or a kept candidate reads its result.
        var readers: [String: Set<Int>] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for input in node.inputs where !input.isEmpty { readers[input, default: []].insert(index) }
        }
        var kept = Set<Int>()
        for candidate in candidates.reversed() {
            let useful = graph.nodes[candidate.index].outputs.contains { output in
                (candidate.moves && planned.contains(output)) || !(readers[output] ?? []).isDisjoint(with: kept)
            }
            if useful { kept.insert(candidate.index) }
        }
        for candidate in candidates where kept.contains(candidate.index) {
            let node = graph.nodes[candidate.index]
            if candidate.moves { movementNodes += 1 }
            let ownRange = !candidate.moves || Self.keepsOwnRange(node.opType)
            if node.opType == "Concat" { concatenated[node.outputs[0]] = candidate.data }
            for output in node.outputs {
                if !planned.contains(output) { extraActivations.append(output) }
                if ownRange {
                    if !planned.contains(output) { calibrated.append(output) }
                    if !planned.contains(output), let only = readers[output], only.count == 1, let reader = only.first,
                       kept.contains(reader), graph.nodes[reader].opType == "Concat" {
                        joins[output] = graph.nodes[reader].outputs[0]
                    }
                } else {
                    sharedWith[output] = candidate.data[0]
                }
            }
        }
    }

    /// Split parts and Concat results span ranges of their own (as Adds do); the other movement
    /// operators select values of their input.
    static func keepsOwnRange(_ opType: String) -> Bool { opType == "Split" || opType == "Concat" }

    /// `ranges` with the shared ranges filled in:
    /// - a value-selecting node's output takes its input's range (a chain of MaxPools the first's);
    /// - a Concat whose inputs all have one range takes it (YOLOv8's SPPF: a convolution's output
    ///   and three MaxPools of it), so its bytes need no requantization;
    /// - a value only a Concat reads (a residual Add's output, a Split part) takes the Concat's
    ///   range: it is then rounded once, where a range of its own would round it twice, at two
    ///   nearly equal steps (YOLOv8n: 3 detection-agreement points).
    func sharing(_ ranges: [String: ActivationRange]) -> [String: ActivationRange] {
        var result = ranges
        func range(of value: String) -> ActivationRange? {
            if let source = sharedWith[value] { return range(of: source) }
            if let concat = joins[value] { return range(of: concat) }
            if let inputs = concatenated[value], !inputs.contains(where: { joins[$0] == value }),
               let first = inputs.first.flatMap(range(of:)), inputs.dropFirst().allSatisfy({ range(of: $0) == first }) {
                return first
            }
            return ranges[value]
        }
        for value in Set(sharedWith.keys).union(joins.keys).union(concatenated.keys) { result[value] = range(of: value) }
        return result
    }
}
