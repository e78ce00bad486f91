import SwitchyardGraph
import SwitchyardTensor

/// Runs float elementwise work that ends in a QuantizeLinear on bytes when a table cannot hold
/// it: more than two 8-bit inputs, or float inputs with one value per channel. PP-OCR det's
/// feature pyramid computes, per level,
///
///     y = DQ(c) + DQ(c) · hardsigmoid(s) + Resize(DQ(p))  →  QuantizeLinear
///
/// where `c` and `p` are int8 convolution outputs and `s` is a squeeze-excitation scale of shape
/// `[N, C, 1, 1]`. In float that is a dequantize, a multiply, two adds, an upsampling and a
/// quantize, each a pass over the level's largest tensor (and layout changes between them).
/// Here the region becomes one `ai.switchyard` QuantizedElementwise node that reads the bytes
/// and writes bytes in one pass (`DNNLQuantizedElementwiseOperation`).
///
/// The node keeps the region's nodes as its `body` subgraph (DequantizeLinear of each 8-bit
/// input, the float operators, the QuantizeLinear), which is its reference kernel, so it computes
/// what the QDQ graph computes, bit for bit. A nearest-neighbour Resize (or other data movement)
/// of a dequantized value moves the bytes before they enter: it commutes with the dequantization.
///
/// Runs after `QuantizedLookupFusion`, which takes the regions a table can hold; under
/// `.automatic` only regions whose 8-bit inputs come from int8 operators, as that pass.
public struct QuantizedElementwiseFusion: GraphPass {
    public let name = "quantized-elementwise"
    public static let opType = "QuantizedElementwise"

    /// The float operators a region may compute (Add, Sub, Mul, Div, Relu, HardSigmoid): one float32
    /// operation each (HardSigmoid two), which the region kernel computes in the same order.
    static let computed = Set(DNNLQuantizedElementwiseOperation.opcodes.keys)

    /// Most 8-bit inputs, and most float inputs, of one region.
    static let inputLimit = 8

    public let execution: QuantizedExecution

    public init(execution: QuantizedExecution = .automatic) {
        self.execution = execution
    }

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        guard execution.rewritesQuantizedValues(in: graph) else { return [] }
        let facts = scope.facts(of: graph)
        var names = NameAllocator(graph)
        var changes: [String] = []
        // First first: a region's 8-bit inputs may be an earlier region's output, which must
        // already be an int8 product.
        let ends = graph.nodes.filter { $0.opType == "QuantizeLinear" }.map { $0.outputs[0] }
        var usage = GraphUsage(graph)
        for end in ends {
            guard let index = usage.producer[end], graph.nodes[index].opType == "QuantizeLinear",
                  let region = ElementwiseRegion(ending: index, graph: graph, usage: usage, facts: facts,
                                                 execution: execution) else { continue }
            changes.append(region.rewrite(&graph, names: &names))
            usage = GraphUsage(graph)
        }
        return changes
    }

    /// True when a value of `shape` holds one number per item and channel of a result of rank
    /// `rank`: every axis after the channel axis is 1 once it is aligned (NumPy style) with it.
    static func isPerChannel(_ shape: [Dimension], rank: Int) -> Bool {
        guard shape.count <= rank else { return false }
        let aligned = [Dimension](repeating: .fixed(1), count: rank - shape.count) + shape
        return aligned.dropFirst(2).allSatisfy { $0.fixedValue == 1 }
    }

    /// True for a QuantizedElementwise node. Its body defines what it computes, node for node
    /// as the region kernel compiles it: the optimizer and the region partitioner leave it as made.
    static func isFused(_ node: Node) -> Bool {
        node.domain == ReferenceKernels.switchyardDomain && node.opType == opType
    }

    /// The 8-bit type a QuantizedElementwise node writes: its body's QuantizeLinear's.
    static func outputType(of node: Node) -> DataType? {
        guard case .graph(let body)? = node.attributes["body"], let quantize = body.nodes.last,
              quantize.opType == "QuantizeLinear" else { return nil }
        guard quantize.inputs.count >= 3, !quantize.inputs[2].isEmpty else { return .uint8 }
        return body.initializers[quantize.inputs[2]]?.dataType
    }
}

/// A float elementwise region ending at one QuantizeLinear, and the values it reads.
private struct ElementwiseRegion {
    let end: Int
    /// The float operators, by node index.
    var members = Set<Int>()
    /// DequantizeLinear nodes whose outputs the region reads, by index.
    var dequantized: [Int] = []
    /// Data movement of a dequantized value, by index, with the DequantizeLinear it reads.
    var moved: [(movement: Int, dequantize: Int)] = []
    /// Float values of one number per item and channel (or one number), which stay float.
    var floats: [String] = []

    init?(ending end: Int, graph: Graph, usage: GraphUsage, facts: [String: ValueFact], execution: QuantizedExecution) {
        self.end = end
        let quantize = graph.nodes[end]
        guard QDQFusion.isONNX(quantize), let output = QDQParameters(graph, quantize, dataType: nil, facts: facts),
              output.isPerTensor, output.quantizedType == .uint8 || output.quantizedType == .int8,
              let rank = facts[quantize.inputs[0]]?.shape?.count, rank >= 2 else { return nil }
        var seen = Set<String>()

        func isDequantizedBytes(_ index: Int) -> Bool {
            let node = graph.nodes[index]
            guard node.opType == "DequantizeLinear", QDQFusion.isONNX(node),
                  let type = facts[node.inputs[0]]?.dataType, type == .uint8 || type == .int8,
                  let parameters = QDQParameters(graph, node, dataType: type, facts: facts), parameters.isPerTensor
            else { return false }
            return execution == .integer
                || QuantizedLookupFusion.isIntegerProduct(node.inputs[0], graph: graph, usage: usage)
        }
        func isPerChannel(_ value: String) -> Bool {
            let fact = graph.initializers[value].map(ValueFact.init(tensor:)) ?? facts[value]
            guard let fact, fact.dataType == .float32, let shape = fact.shape else { return false }
            return QuantizedElementwiseFusion.isPerChannel(shape, rank: rank)
        }
        func visit(_ value: String) -> Bool {
            if seen.contains(value) { return true }
            seen.insert(value)
            if isPerChannel(value) {
                floats.append(value)
                return true
            }
            guard let producer = usage.producer[value] else { return false }
            let node = graph.nodes[producer]
            guard QDQFusion.isONNX(node), node.outputs.count == 1, node.subgraphs.isEmpty else { return false }
            if isDequantizedBytes(producer) {
                dequantized.append(producer)
                return true
            }
            if QuantizedMovementFusion.movement.contains(node.opType), node.opType != "Concat", node.opType != "Split",
               QuantizedMovementFusion.movesValues(node), let source = usage.producer[node.inputs[0]],
               isDequantizedBytes(source) {
                moved.append((producer, source))
                return true
            }
            guard QuantizedElementwiseFusion.computed.contains(node.opType) else { return false }
            members.insert(producer)
            return node.inputs.allSatisfy { !$0.isEmpty && visit($0) }
        }
        guard let root = usage.producer[quantize.inputs[0]], QuantizedElementwiseFusion.computed.contains(graph.nodes[root].opType),
              visit(quantize.inputs[0]), !dequantized.isEmpty || !moved.isEmpty,
              dequantized.count + moved.count <= QuantizedElementwiseFusion.inputLimit,
              floats.count <= QuantizedElementwiseFusion.inputLimit else { return nil }
        // Every value computed inside is read inside only (the dequantized values may be shared).
        let inside = members.union(moved.map(\.movement)).union([end])
        for index in members.union(moved.map(\.movement)) {
            let value = graph.nodes[index].outputs[0]
            guard !usage.graphOutputs.contains(value), Set(usage.consumers(of: value)).isSubset(of: inside) else { return nil }
        }
    }

    /// Replaces the region by one QuantizedElementwise node (and the moved values' movement on
    /// bytes before it); returns the change.
    func rewrite(_ graph: inout Graph, names: inout NameAllocator) -> String {
        let quantize = graph.nodes[end]
        var before: [Node] = []
        var bodyNodes: [Node] = []
        var inputs: [String] = []
        for index in dequantized {
            let dequantize = graph.nodes[index]
            inputs.append(dequantize.inputs[0])
            bodyNodes.append(dequantize)
        }
        for (movementIndex, dequantizeIndex) in moved {
            var movement = graph.nodes[movementIndex], dequantize = graph.nodes[dequantizeIndex]
            let bytes = names.fresh(movement.outputs[0] + "_bytes")
            dequantize.outputs = movement.outputs
            movement.inputs[0] = dequantize.inputs[0]
            movement.outputs = [bytes]
            dequantize.inputs[0] = bytes
            before.append(movement)
            inputs.append(bytes)
            bodyNodes.append(dequantize)
        }
        inputs += floats
        bodyNodes += members.sorted().map { graph.nodes[$0] } + [quantize]
        let fusedInputs = Set(inputs)
        var constants: [String: Tensor] = [:]
        for node in bodyNodes {
            for name in node.inputs where !fusedInputs.contains(name) {
                if let tensor = graph.initializers[name] { constants[name] = tensor }
            }
        }
        let body = Graph(name: quantize.name + "_body", nodes: bodyNodes, inputs: inputs.map { ValueInfo(name: $0) },
                         outputs: [ValueInfo(name: quantize.outputs[0])], initializers: constants)
        let fused = Node(name: quantize.name, opType: QuantizedElementwiseFusion.opType,
                         domain: ReferenceKernels.switchyardDomain, inputs: inputs, outputs: quantize.outputs,
                         attributes: ["body": .graph(body)], docString: quantize.docString)
        let removed = members.union(moved.map(\.movement))
        for index in removed { graph.valueInfo[graph.nodes[index].outputs[0]] = nil }
        var rewritten: [Node] = []
        for (index, node) in graph.nodes.enumerated() where !removed.contains(index) {
            rewritten += index == end ? before + [fused] : [node]
        }
        graph.nodes = rewritten
        let bytes = dequantized.count + moved.count
        return "\(members.count) float operators ending at QuantizeLinear '\(quantize.displayName)' run on bytes "
            + "(\(bytes) 8-bit input\(bytes == 1 ? "" : "s"), \(floats.count) per-channel float input\(floats.count == 1 ? "" : "s")"
            + (moved.isEmpty ? ")" : ", \(moved.count) moved as bytes first)")
    }
}
