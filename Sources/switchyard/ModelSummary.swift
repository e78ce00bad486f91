import SwitchyardGraph
import SwitchyardQuantization
import SwitchyardTensor

/// What `switchyard inspect` reports about a model without running it.
struct ModelSummary: Encodable, Equatable {
    struct Value: Encodable, Equatable {
        var name: String
        /// ONNX type name (`float`), or `?` when undeclared.
        var dtype: String
        /// Sizes and symbolic names (`batch`, `?` for an unnamed free dimension); `nil` when the
        /// rank is unknown.
        var dims: [String]?
    }

    var irVersion: Int
    var producer: String
    var opsets: [String: Int]
    var metadataKeys: [String]
    var inputs: [Value]
    var outputs: [Value]
    /// Nodes per op type (`domain.Op` outside the default domain), subgraphs included.
    var opCounts: [String: Int]
    var nodeCount: Int
    /// Elements and bytes of the stored weights: initializers and `Constant` node values,
    /// subgraphs included (some exporters keep every weight in a `Constant` node).
    var parameterCount: Int
    var weightBytes: Int
    /// How low-precision weights (FP16, BF16, INT8) are computed on this CPU; nil for FP32.
    var precision: String?

    init(_ model: Model) {
        irVersion = model.irVersion
        producer = [model.producerName, model.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
        opsets = Dictionary(uniqueKeysWithValues: model.opsetImports.map { ($0.key.isEmpty ? "ai.onnx" : $0.key, $0.value) })
        metadataKeys = model.metadata.keys.sorted()
        inputs = model.graph.inputs.map(Self.value)
        outputs = model.graph.outputs.map(Self.value)
        let nodes = model.graph.allNodes()
        nodeCount = nodes.count
        opCounts = [:]
        for node in nodes {
            let isDefault = node.domain.isEmpty || node.domain == "ai.onnx"
            opCounts[isDefault ? node.opType : "\(node.domain).\(node.opType)", default: 0] += 1
        }
        let weights = Self.storedTensors(model.graph)
        parameterCount = weights.reduce(0) { $0 + $1.count }
        weightBytes = weights.reduce(0) { $0 + $1.byteCount }
        precision = CPUPrecisionSupport.current.computePath(of: model)
    }

    private static func value(_ info: ValueInfo) -> Value {
        Value(name: info.name, dtype: info.dataType?.onnxName ?? "?", dims: info.shape?.map(\.description))
    }

    /// The initializers and `Constant` values of `graph` and its subgraphs.
    private static func storedTensors(_ graph: Graph) -> [Tensor] {
        var tensors = Array(graph.initializers.values)
        for node in graph.nodes {
            if node.opType == "Constant", node.domain.isEmpty || node.domain == "ai.onnx",
               case .tensor(let value)? = node.attributes["value"] {
                tensors.append(value)
            }
            for attribute in node.attributes.values {
                switch attribute {
                case .graph(let body): tensors += storedTensors(body)
                case .graphs(let bodies): for body in bodies { tensors += storedTensors(body) }
                default: break
                }
            }
        }
        return tensors
    }
}
