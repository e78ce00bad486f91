import SwitchyardGraph
import SwitchyardTensor

/// Replaces elementwise float work between 8-bit tensors by a table lookup: a QuantizeLinear
/// whose input is an elementwise function of one or two 8-bit tensors (reached through
/// DequantizeLinear, with scalar constants and inner QuantizeLinear/DequantizeLinear pairs
/// allowed on the way) becomes `ai.switchyard` QuantizedLookup, whose table is that function
/// evaluated by the reference kernels on every possible input (256 values, or 65 536 pairs).
/// The result is exactly what the QDQ graph computes, at a byte read per element.
///
/// This is where QDQ models spend their time between int8 convolutions: YOLOv8's SiLU
/// (`DQ → Sigmoid → Q → DQ → Mul(DQ(x), ·) → Q`), PP-OCR's HardSwish, residual `Add`s of
/// two quantized tensors, and bare requantizations (`DQ → Q` at another scale: YOLOv8's C2f
/// parts once `QuantizeHoisting` has moved their Concat's QuantizeLinear onto each part).
public struct QuantizedLookupFusion: GraphPass {
    public let name = "quantized-lookup"
    public static let opType = "QuantizedLookup"

    /// Operators computed element by element (with scalar constants only), whose composition
    /// a table can hold.
    static let elementwise: Set<String> = [
        "Abs", "Add", "Clip", "Div", "Elu", "Exp", "Gelu", "HardSigmoid", "HardSwish", "LeakyRelu", "Max", "Min",
        "Mul", "Neg", "Relu", "Selu", "Sigmoid", "Softplus", "Sqrt", "Sub", "Tanh",
        "QuantizeLinear", "DequantizeLinear",
    ]

    /// Under `.float` nothing is rewritten; under `.automatic` only regions whose 8-bit inputs
    /// come from int8 operators (QDQFusion's), so a float neighbourhood stays float.
    public let execution: QuantizedExecution

    public init(execution: QuantizedExecution = .automatic) {
        self.execution = execution
    }

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        guard execution.rewritesQuantizedValues(in: graph) else { return [] }
        let facts = scope.facts(of: graph)
        let usage = GraphUsage(graph)
        var changes: [String] = []
        // Last first, so an outer chain absorbs the inner QuantizeLinear nodes it contains.
        var absorbed = Set<Int>()
        for index in graph.nodes.indices.reversed() where !absorbed.contains(index) {
            let node = graph.nodes[index]
            guard node.opType == "QuantizeLinear", QDQFusion.isONNX(node), node.outputs.count == 1,
                  let output = QDQParameters(graph, node, dataType: nil, facts: facts), output.isPerTensor,
                  output.quantizedType == .uint8 || output.quantizedType == .int8,
                  let region = Region(ending: index, graph: graph, usage: usage, facts: facts),
                  execution == .integer || region.roots.allSatisfy({ Self.isIntegerProduct($0, graph: graph, usage: usage) }),
                  let table = region.table(graph: graph, scope: scope) else { continue }
            absorbed.formUnion(region.nodes)
            graph.nodes[index] = Node(name: node.name, opType: Self.opType, domain: ReferenceKernels.switchyardDomain,
                                      inputs: region.roots, outputs: node.outputs, attributes: ["table": .tensor(table)],
                                      docString: node.docString)
            changes.append("\(region.nodes.count) nodes ending at QuantizeLinear '\(node.displayName)' became a \(table.count)-entry table")
        }
        return changes
    }
}

extension QuantizedLookupFusion {
    /// Operators whose 8-bit outputs are computed in int8 (no float value exists to fuse into).
    static let integerProducers: Set<String> = ["QLinearConv", "QLinearMatMul", opType, QuantizedElementwiseFusion.opType]

    /// True when an int8 operator computes `value`, directly or through data movement that
    /// `QuantizedMovementFusion` made run on bytes.
    /// The output of `nodes` (in order, elementwise, one output each, the last one 8-bit) for
    /// every combination of the 8-bit `roots`' values, computed by their reference kernels: a
    /// lookup table of 256 entries for one root, 65 536 for two (indexed as `QuantizedLookupKernel`
    /// reads it); nil when a kernel fails.
    static func table(of nodes: [Node], roots: [(name: String, type: DataType)], graph: Graph, scope: PassScope) -> Tensor? {
        guard let last = nodes.last else { return nil }
        var values: [String: Tensor] = graph.initializers
        let count = 1 << (8 * roots.count)
        for (position, root) in roots.enumerated() {
            let low: Int64 = root.type == .int8 ? -128 : 0
            let shift = 8 * (roots.count - 1 - position)
            values[root.name] = Tensor(dataType: root.type, shape: [count],
                                       int64s: (0..<count).map { low + Int64(($0 >> shift) & 0xFF) })
        }
        for node in nodes {
            guard let kernel = ReferenceKernels.kernel(opType: node.opType, domain: node.domain),
                  let outputs = try? kernel(OpContext(node: node, opset: scope.opset(of: node),
                                                      inputs: node.inputs.map { $0.isEmpty ? nil : values[$0] })),
                  let output = outputs.first, output.count == count || output.count == 1 else { return nil }
            values[node.outputs[0]] = output
        }
        // A node may compute a constant (one value: a dequantized scalar); the result may not.
        guard let result = values[last.outputs[0]], result.count == count,
              result.dataType == .uint8 || result.dataType == .int8 else { return nil }
        return result
    }

    static func isIntegerProduct(_ value: String, graph: Graph, usage: GraphUsage) -> Bool {
        guard let producer = usage.producer[value] else { return false }
        let node = graph.nodes[producer]
        if QuantizedMovementFusion.movement.contains(node.opType), QDQFusion.isONNX(node) {
            let data = node.opType == "Concat" ? node.inputs : Array(node.inputs.prefix(1))
            return !data.isEmpty && data.allSatisfy { isIntegerProduct($0, graph: graph, usage: usage) }
        }
        return integerProducers.contains(node.opType)
    }
}

/// The elementwise region ending at one QuantizeLinear: its nodes (in graph order) and the
/// 8-bit tensors it reads (its roots).
private struct Region {
    var nodes: [Int] = []
    var roots: [String] = []
    var rootTypes: [String: DataType] = [:]

    /// The region ending at node `end`, or nil when its input is not an elementwise function of
    /// at most two 8-bit tensors.
    init?(ending end: Int, graph: Graph, usage: GraphUsage, facts: [String: ValueFact]) {
        var members = Set<Int>()
        var rootSet = Set<String>()
        var types: [String: DataType] = [:]
        // Depth-first from the QuantizeLinear's input; a DequantizeLinear's input becomes a root
        // unless an inner QuantizeLinear that is itself expandable produces it.
        func visit(_ index: Int) -> Bool {
            if members.contains(index) { return true }
            let node = graph.nodes[index]
            guard QDQFusion.isONNX(node), QuantizedLookupFusion.elementwise.contains(node.opType),
                  node.outputs.count == 1, node.subgraphs.isEmpty else { return false }
            members.insert(index)
            if node.opType == "QuantizeLinear" || node.opType == "DequantizeLinear" {
                guard let parameters = QDQParameters(graph, node, dataType: nil, facts: facts), parameters.isPerTensor
                else { return false }
                if node.opType == "QuantizeLinear" {
                    guard parameters.quantizedType == .uint8 || parameters.quantizedType == .int8 else { return false }
                    return value(node.inputs[0])
                }
                let data = node.inputs[0]
                // A quantized scalar constant (onnxruntime's quantize_static stores HardSwish's 3
                // so) is a constant of the function, not an input of the table.
                if let constant = graph.initializers[data] { return constant.count == 1 && constant.rank <= 1 }
                guard let type = facts[data]?.dataType, type == parameters.quantizedType,
                      type == .uint8 || type == .int8 else { return false }
                if let producer = usage.producer[data], graph.nodes[producer].opType == "QuantizeLinear" {
                    let saved = (members, rootSet)
                    if visit(producer) { return true }
                    (members, rootSet) = saved
                    members.insert(index)
                }
                rootSet.insert(data)
                types[data] = type
                return rootSet.count <= 2
            }
            for (position, input) in node.inputs.enumerated() where !input.isEmpty {
                if let constant = graph.initializers[input] {
                    guard constant.count == 1, constant.rank <= 1 || (node.opType == "Clip" && position > 0) else { return false }
                    continue
                }
                guard value(input) else { return false }
            }
            return true
        }
        func value(_ name: String) -> Bool {
            guard let producer = usage.producer[name] else { return false }
            return visit(producer)
        }
        guard value(graph.nodes[end].inputs[0]) else { return nil }
        members.insert(end)
        // Every intermediate must be read by region nodes only (the DequantizeLinear outputs of
        // the roots and of constants may be shared: those nodes stay for their other readers).
        for member in members where member != end {
            let node = graph.nodes[member]
            let isLeafDequantize = node.opType == "DequantizeLinear"
                && (rootSet.contains(node.inputs[0]) || graph.initializers[node.inputs[0]] != nil)
            guard isLeafDequantize || (Set(usage.consumers(of: node.outputs[0])).isSubset(of: members)
                                       && !usage.graphOutputs.contains(node.outputs[0])) else { return nil }
        }
        roots = rootSet.sorted()
        // The output takes the roots' shape: scalar constants of rank 1 must not raise a rank-0 root.
        guard !roots.isEmpty, roots.allSatisfy({ (facts[$0]?.shape?.count ?? 0) >= 1 }) else { return nil }
        // Two roots broadcast together as every elementwise operator between them does (the
        // lookup kernels broadcast too), so their shapes need not be known to be equal: YOLOv8's
        // residual Adds join convolution outputs whose spatial sizes follow from a free input size.
        // A root of one value per channel against a full-size one (a squeeze-excitation scale) is
        // `QuantizedElementwiseFusion`'s: it reads the channel's value once per block instead of
        // gathering every element from a 65,536-entry table.
        if roots.count == 2, let first = facts[roots[0]]?.shape, let second = facts[roots[1]]?.shape {
            let rank = max(first.count, second.count)
            let perChannel = [first, second].map { QuantizedElementwiseFusion.isPerChannel($0, rank: rank) }
            if perChannel[0] != perChannel[1] { return nil }
        }
        nodes = members.sorted()
        rootTypes = types
    }

    /// The region's output for every combination of root values, computed by the reference
    /// kernels; nil when a kernel fails.
    func table(graph: Graph, scope: PassScope) -> Tensor? {
        let typed = roots.compactMap { root in rootTypes[root].map { (name: root, type: $0) } }
        guard typed.count == roots.count else { return nil }
        return QuantizedLookupFusion.table(of: nodes.map { graph.nodes[$0] }, roots: typed, graph: graph, scope: scope)
    }
}
