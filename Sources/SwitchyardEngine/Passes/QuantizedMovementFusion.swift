import SwitchyardGraph
import SwitchyardTensor

/// Moves quantized tensors as bytes: data movement read through DequantizeLinear and written
/// through QuantizeLinear runs on the 8-bit values,
///
///     DequantizeLinear(x_q) → Split | Concat | MaxPool | Resize(nearest) | Reshape | … → QuantizeLinear
///       ⇒  the same operator on x_q [→ QuantizedLookup]
///
/// These operators copy, select or take maxima of their inputs, and `Q(DQ(v))` is increasing in
/// `v`, so moving the bytes and mapping them through the 256-entry table `Q(DQ(v))` computes what
/// the float graph computes, bit for bit: after the operator (one table per output) or, for a
/// Concat, before it (one table per input). Where the scales and zero points agree no table is
/// needed (`Q(DQ(v)) = v`). MaxPool's padding is the type's minimum on bytes and −∞ on floats;
/// both quantize to the minimum.
///
/// This is the form `quantize` writes for YOLOv8's C2f blocks (Split, then Concat of the parts and
/// the bottlenecks; each part keeps its own range, a table requantizes it) and SPPF (MaxPool and
/// Resize share their input's scale), and ONNX Runtime's `quantize_static` writes for the
/// operators it gives shared parameters; QLinearConcat requantizes the same way.
///
/// Under `.automatic`, only data that comes from int8 operators is moved as bytes (a float
/// neighbourhood stays float, where `FakeQuantizeFusion` takes its pairs), as
/// `QuantizedLookupFusion` does.
public struct QuantizedMovementFusion: GraphPass {
    public let name = "quantized-movement"
    public let execution: QuantizedExecution

    public init(execution: QuantizedExecution = .automatic) {
        self.execution = execution
    }

    /// Operators that only copy, select or take maxima of their data input(s): the first input,
    /// or every input of a Concat.
    public static let movement: Set<String> = [
        "Concat", "Split", "MaxPool", "Resize", "Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze", "Slice",
        "DepthToSpace", "SpaceToDepth",
    ]

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        guard execution.rewritesQuantizedValues(in: graph) else { return [] }
        let facts = scope.facts(of: graph)
        var names = NameAllocator(graph)
        var changes: [String] = []
        var usage = GraphUsage(graph)
        var index = 0
        while index < graph.nodes.count {
            if let (change, added) = fuse(at: index, in: &graph, usage: usage, facts: facts, scope: scope, names: &names) {
                changes.append(change)
                usage = GraphUsage(graph)
                index += added
            }
            index += 1
        }
        return changes
    }

    /// One quantized value the pattern reads or writes, and the node that dequantizes or quantizes it.
    private struct Endpoint {
        var node: Node
        var parameters: QDQParameters
    }

    /// Rewrites node `index` to move 8-bit data when its pattern holds: the change and how many
    /// nodes were inserted before it. The QuantizeLinear nodes it absorbs are removed (its
    /// DequantizeLinear inputs stay for their other readers). `usage` describes `graph`; the graph
    /// changes only when the pattern holds.
    private func fuse(at index: Int, in graph: inout Graph, usage: GraphUsage, facts: [String: ValueFact],
                      scope: PassScope, names: inout NameAllocator) -> (String, Int)? {
        let node = graph.nodes[index]
        guard QDQFusion.isONNX(node), Self.movement.contains(node.opType), Self.movesValues(node),
              !node.outputs.contains(where: \.isEmpty) else { return nil }
        let dataPositions = node.opType == "Concat" ? Array(node.inputs.indices) : [0]
        var reads: [Endpoint] = []
        for position in dataPositions {
            guard position < node.inputs.count, let producer = usage.producer[node.inputs[position]] else { return nil }
            let dequantize = graph.nodes[producer]
            guard dequantize.opType == "DequantizeLinear", QDQFusion.isONNX(dequantize),
                  let type = facts[dequantize.inputs[0]]?.dataType, type == .uint8 || type == .int8,
                  let parameters = QDQParameters(graph, dequantize, dataType: type, facts: facts), parameters.isPerTensor
            else { return nil }
            if execution == .automatic {
                guard QuantizedLookupFusion.isIntegerProduct(dequantize.inputs[0], graph: graph, usage: usage) else { return nil }
            }
            reads.append(Endpoint(node: dequantize, parameters: parameters))
        }
        var writes: [(index: Int, endpoint: Endpoint)] = []
        for output in node.outputs {
            guard usage.hasSingleUse(output, in: graph), let reader = usage.consumers(of: output).first else { return nil }
            let quantize = graph.nodes[reader]
            guard quantize.opType == "QuantizeLinear", QDQFusion.isONNX(quantize), quantize.inputs.first == output,
                  let parameters = QDQParameters(graph, quantize, dataType: nil, facts: facts), parameters.isPerTensor
            else { return nil }
            writes.append((reader, Endpoint(node: quantize, parameters: parameters)))
        }
        guard let type = reads.first?.parameters.quantizedType,
              (reads + writes.map(\.endpoint)).allSatisfy({ $0.parameters.quantizedType == type }) else { return nil }

        var fused = node
        var before: [Node] = [], after: [Node] = []
        func requantization(_ from: Endpoint, _ to: Endpoint, input: String, output: String) -> Node? {
            guard let table = Self.requantizationTable(from: from.node, to: to.node, type: type, graph: graph, scope: scope)
            else { return nil }
            return Node(name: names.fresh("\(output)_requantize"), opType: QuantizedLookupFusion.opType,
                        domain: ReferenceKernels.switchyardDomain, inputs: [input], outputs: [output],
                        attributes: ["table": .tensor(table)])
        }
        if node.opType == "Concat" {
            let target = writes[0].endpoint
            for (position, read) in zip(dataPositions, reads) {
                let bytes = read.node.inputs[0]
                if Self.same(read.parameters, target.parameters) {
                    fused.inputs[position] = bytes
                } else {
                    guard let table = requantization(read, target, input: bytes,
                                                     output: names.fresh("\(bytes)_requantized")) else { return nil }
                    before.append(table)
                    fused.inputs[position] = table.outputs[0]
                }
            }
            fused.outputs = [target.node.outputs[0]]
        } else {
            let read = reads[0]
            fused.inputs[0] = read.node.inputs[0]
            fused.outputs = []
            for write in writes.map(\.endpoint) {
                let output = write.node.outputs[0]
                if Self.same(read.parameters, write.parameters) {
                    fused.outputs.append(output)
                } else {
                    let moved = names.fresh("\(output)_moved")
                    guard let table = requantization(read, write, input: moved, output: output) else { return nil }
                    after.append(table)
                    fused.outputs.append(moved)
                }
            }
        }
        for output in node.outputs { graph.valueInfo[output] = nil }
        let absorbed = Set(writes.map(\.index))
        var rewritten: [Node] = []
        for (position, existing) in graph.nodes.enumerated() where !absorbed.contains(position) {
            rewritten += position == index ? before + [fused] + after : [existing]
        }
        graph.nodes = rewritten
        let tables = before.count + after.count
        let detail = tables == 0 ? "one scale" : "\(tables) requantization table\(tables == 1 ? "" : "s")"
        return ("\(node.opType) '\(node.displayName)' moves \(type) data (\(detail))", before.count)
    }

    /// `QuantizeLinear(DequantizeLinear(v))` for every 8-bit `v`, computed by the reference
    /// kernels of the two nodes, so the table rounds exactly as they do.
    static func requantizationTable(from dequantize: Node, to quantize: Node, type: DataType, graph: Graph,
                                    scope: PassScope) -> Tensor? {
        var requantize = quantize
        requantize.inputs[0] = dequantize.outputs[0]
        let table = QuantizedLookupFusion.table(of: [dequantize, requantize], roots: [(dequantize.inputs[0], type)],
                                                graph: graph, scope: scope)
        return table?.dataType == type ? table : nil
    }

    /// False for the modes of these operators that compute new values: a Resize that is not
    /// nearest-neighbour or that extrapolates, a MaxPool that also returns indices.
    public static func movesValues(_ node: Node) -> Bool {
        switch node.opType {
        case "Resize":
            if case .string(let mode)? = node.attributes["mode"], mode != "nearest" { return false }
            if case .string(let mode)? = node.attributes["coordinate_transformation_mode"], mode == "tf_crop_and_resize" {
                return false
            }
            return true
        case "MaxPool":
            return node.outputs.count == 1
        default:
            return true
        }
    }

    /// True when two per-tensor parameter sets quantize identically.
    static func same(_ a: QDQParameters, _ b: QDQParameters) -> Bool {
        a.quantizedType == b.quantizedType && Float(a.scales[0]) == Float(b.scales[0]) && a.zeroPoints[0] == b.zeroPoints[0]
    }
}
