import SwitchyardGraph
import SwitchyardTensor

/// A graph pass that groups runs of consecutive oneDNN-capable nodes whose values can stay in
/// oneDNN's blocked layouts (convolutions, pooling, batch normalization, elementwise and binary
/// operators) into single `ai.switchyard` `DNNLRegion` nodes. The region kernel then reorders
/// only the region's boundary tensors between plain and blocked layouts, instead of every node
/// doing so on its way in and out.
///
/// A region node carries its nodes as the subgraph attribute `body` (inputs: the values the run
/// reads from outside; outputs: the values it produces that later nodes or the graph read) and
/// the opset of each node in `opsets`. Runs are contiguous in a topological node order that
/// keeps capable nodes together (`RegionFriendlyOrder`), so grouping never creates a cycle.
public enum DNNLRegionPartitioner {
    public static let opType = "DNNLRegion"

    /// Operators that work in any layout oneDNN gives them.
    static let layoutFriendly: Set<String> = [
        "Conv", "FusedConv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalMaxPool", "GlobalAveragePool",
        "BatchNormalization", "Add", "Sub", "Mul", "Div", "Max", "Min", "Relu", "LeakyRelu", "Sigmoid", "Tanh",
        "Elu", "Selu", "Exp", "Sqrt", "Abs", "Neg", "Reciprocal", "Round", "HardSwish",
        "HardSigmoid", "Gelu", "Clip", "DepthToSpace", FakeQuantizeFusion.opType,
    ]

    /// Data-movement operators that join a region only when every tensor they move is known to
    /// be float32, or uint8/int8 (quantized data, `QuantizedMovementFusion`): they also move
    /// integer shape values, which oneDNN does not compute. They run through oneDNN only inside
    /// regions.
    static let regionOnly: Set<String> = ["Concat", "Split", "Resize"]

    /// Quantized operators, which join a region when their scales and zero points are
    /// initializers (they are baked into the primitives): a chain of int8 convolutions and the
    /// quantize steps around them then stays in oneDNN's layouts (`nhwc` u8 on VNNI) instead of
    /// going to plain NCHW and back at every layer.
    /// `QuantizedLookup` and `QuantizedElementwise` (the quantized elementwise work between them)
    /// and `DequantizedMean` (a squeeze-excitation's pooling) join for the same reason.
    static let quantized: Set<String> = [
        "QLinearConv", "QuantizeLinear", "DequantizeLinear", QuantizedLookupFusion.opType, QuantizedElementwiseFusion.opType,
        DequantizedMeanFusion.opType,
    ]

    /// `graph` with each run of at least `minimumSize` layout-friendly nodes replaced by one
    /// region node. Subgraphs are partitioned too. `opsets` are the model's opset imports.
    public static func partition(_ graph: Graph, opsets: [String: Int], minimumSize: Int = 2) -> Graph {
        var result = graph
        result.nodes = []
        let given = graph.nodes.map { partitionSubgraphs($0, opsets: opsets, minimumSize: minimumSize) }
        let givenFriendly = given.map { node in
            let opset = opsets[node.domain] ?? opsets[""] ?? 1
            let candidate = layoutFriendly.contains(node.opType)
                || (regionOnly.contains(node.opType) && movesOneDNNData(node, in: graph))
                || quantized.contains(node.opType)
            guard candidate, let operation = DNNLKernels.operation(for: node, opset: opset) else { return false }
            return !quantized.contains(node.opType) || operation.parameterInputs.allSatisfy { index in
                index >= node.inputs.count || node.inputs[index].isEmpty || graph.initializers[node.inputs[index]] != nil
            }
        }
        let givenReads = given.map(reads(of:))
        let order = RegionFriendlyOrder.order(given, friendly: givenFriendly, reads: givenReads)
        let nodes = order.map { given[$0] }
        // Names read after position `index`, for deciding which region values escape.
        var readsFrom = [Set<String>](repeating: [], count: nodes.count + 1)
        readsFrom[nodes.count] = Set(graph.outputs.map(\.name))
        for index in stride(from: nodes.count - 1, through: 0, by: -1) {
            readsFrom[index] = readsFrom[index + 1].union(givenReads[order[index]])
        }
        var run: [(node: Node, opset: Int)] = []
        func flush(end: Int) {
            if run.count >= minimumSize {
                result.nodes.append(region(run.map(\.node), opsets: run.map(\.opset), escaping: readsFrom[end],
                                           index: result.nodes.count))
            } else {
                result.nodes += run.map(\.node)
            }
            run = []
        }
        for (index, node) in nodes.enumerated() {
            let opset = opsets[node.domain] ?? opsets[""] ?? 1
            if givenFriendly[order[index]] {
                run.append((node, opset))
            } else {
                flush(end: index)
                result.nodes.append(node)
            }
        }
        flush(end: nodes.count)
        return result
    }

    /// The region kernel of a `DNNLRegion` node, or nil when its body holds a node oneDNN
    /// cannot run. A convolution, binary or elementwise operator runs as one primitive with the
    /// elementwise operators that follow it as post-ops (`DNNLPostOpFusion`).
    static func kernel(for node: Node, constants: [String: Tensor], threads: Int,
                       packedWeights: PackedWeights) -> DNNLRegionKernel? {
        guard case .graph(let body)? = node.attributes["body"], case .ints(let opsets)? = node.attributes["opsets"],
              opsets.count == body.nodes.count else { return nil }
        var operations: [any DNNLOperation] = []
        for (member, opset) in zip(body.nodes, opsets) {
            guard let operation = DNNLKernels.operation(for: member, opset: opset) else { return nil }
            operations.append(operation)
        }
        let members = DNNLPostOpFusion.members(body.nodes, opsets: opsets, operations: operations,
                                               escaping: Set(body.outputs.map(\.name)), constants: constants)
        return DNNLRegionKernel(members: members, inputNames: body.inputs.map(\.name),
                                outputNames: body.outputs.map(\.name), constants: constants, threads: threads,
                                packedWeights: packedWeights)
    }

    private static func region(_ nodes: [Node], opsets: [Int], escaping: Set<String>, index: Int) -> Node {
        var produced = Set<String>()
        var inputs: [String] = []
        var outputs: [String] = []
        for node in nodes {
            for name in node.inputs where !name.isEmpty && !produced.contains(name) && !inputs.contains(name) {
                inputs.append(name)
            }
            for name in node.outputs where !name.isEmpty {
                produced.insert(name)
                if escaping.contains(name) { outputs.append(name) }
            }
        }
        let name = "dnnl_region_\(index)_" + (nodes.first?.displayName ?? "")
        let body = Graph(name: name, nodes: nodes, inputs: inputs.map { ValueInfo(name: $0) },
                         outputs: outputs.map { ValueInfo(name: $0) })
        return Node(name: name, opType: opType, domain: ReferenceKernels.switchyardDomain, inputs: inputs,
                    outputs: outputs, attributes: ["body": .graph(body), "opsets": .ints(opsets)])
    }

    /// True when `node`'s data input (the first, or every input of a Concat) and its outputs
    /// are declared or inferred tensors of one type among float32, uint8 and int8.
    private static func movesOneDNNData(_ node: Node, in graph: Graph) -> Bool {
        func type(_ name: String) -> DataType? {
            if let tensor = graph.initializers[name] { return tensor.dataType }
            return (graph.valueInfo[name] ?? graph.inputs.first { $0.name == name })?.dataType
        }
        let moved = node.opType == "Concat" ? node.inputs : Array(node.inputs.prefix(1))
        guard !moved.isEmpty, let first = moved.first.flatMap(type), [.float32, .uint8, .int8].contains(first) else {
            return false
        }
        return (moved + node.outputs).allSatisfy { !$0.isEmpty && type($0) == first }
    }

    /// Every name `node` reads, including those its subgraphs read from enclosing scopes.
    private static func reads(of node: Node) -> Set<String> {
        var names = Set(node.inputs.filter { !$0.isEmpty })
        for attribute in node.attributes.values {
            switch attribute {
            case .graph(let graph): names.formUnion(graph.allNodes().flatMap(\.inputs) + graph.outputs.map(\.name))
            case .graphs(let graphs):
                for graph in graphs { names.formUnion(graph.allNodes().flatMap(\.inputs) + graph.outputs.map(\.name)) }
            default: break
            }
        }
        return names
    }

    private static func partitionSubgraphs(_ node: Node, opsets: [String: Int], minimumSize: Int) -> Node {
        if QuantizedElementwiseFusion.isFused(node) { return node }
        var node = node
        for (name, attribute) in node.attributes {
            switch attribute {
            case .graph(let graph):
                node.attributes[name] = .graph(partition(graph, opsets: opsets, minimumSize: minimumSize))
            case .graphs(let graphs):
                node.attributes[name] = .graphs(graphs.map { partition($0, opsets: opsets, minimumSize: minimumSize) })
            default: break
            }
        }
        return node
    }
}
