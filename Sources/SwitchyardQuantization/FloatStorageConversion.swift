import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

/// FP16/BF16 as storage formats: each float weight becomes a half-size initializer followed by
/// a `Cast` back to float, so compute stays FP32 (the engine folds the casts once at load).
/// Kept FP32: biases and other 1-D vectors (small, and they add directly to outputs),
/// normalisation statistics, tensors too small to matter, and values the format cannot hold.
enum FloatStorageConversion {
    /// Tensors with fewer elements stay FP32: no size to gain, a Cast node to pay.
    static let minimumElements = 16
    /// Inputs of these ops from index 1 on are normalisation parameters or statistics.
    static let normalisationOps: Set<String> = [
        "BatchNormalization", "LayerNormalization", "InstanceNormalization", "GroupNormalization",
        "SimplifiedLayerNormalization", "SkipLayerNormalization",
    ]

    /// `model` with its float weights stored as `target`, except those read by a node in
    /// `keptNodes` (node index → why it stays FP32: `--exclude`, the accuracy gate) and, when
    /// `target` is BF16, those read by a node in `halfNodes` (node index → why), which are stored
    /// as FP16 where they fit: half the bytes, and computed in FP32, since the engine computes
    /// only BF16 natively.
    static func convert(_ model: Model, to target: DataType, keeping keptNodes: [Int: String] = [:],
                        storingFP16 halfNodes: [Int: String] = [:], report: inout QuantizationReport) -> Model {
        precondition(target == .float16 || target == .bfloat16)
        var model = model
        var graph = model.graph
        var names = NameAllocator(graph)
        let normalisation = Self.normalisationInputs(of: graph)
        let readers = graph.nodes.reduce(into: [String: Node]()) { map, node in
            for input in node.inputs where map[input] == nil { map[input] = node }
        }
        var keptInputs: [String: String] = [:]
        for (index, reason) in keptNodes.sorted(by: { $0.key < $1.key }) {
            for input in graph.nodes[index].inputs where keptInputs[input] == nil { keptInputs[input] = reason }
        }
        var halfInputs: [String: String] = [:]
        if target == .bfloat16 {
            for (index, reason) in halfNodes.sorted(by: { $0.key < $1.key }) {
                for input in graph.nodes[index].inputs where halfInputs[input] == nil { halfInputs[input] = reason }
            }
        }
        var casts: [Node] = []
        for name in graph.initializers.keys.sorted() {
            let tensor = graph.initializers[name]!
            guard tensor.dataType == .float32 else { continue }
            let reader = readers[name]
            let opType = reader?.opType ?? "initializer"
            var storage = target
            var why = ""
            if let reason = halfInputs[name], keptInputs[name] == nil {
                storage = .float16
                why = " (\(reason): computed in FP32)"
            }
            if let reason = reasonToKeep(tensor, name: name, target: storage, normalisation: normalisation)
                ?? keptInputs[name] {
                if tensor.count >= minimumElements || normalisation.contains(name) {
                    report.keptFP32.append(.init(name: name, opType: opType, detail: reason))
                }
                continue
            }
            let stored = names.fresh("\(name)_\(storage == .float16 ? "fp16" : "bf16")")
            graph.initializers[stored] = tensor.converted(to: storage)
            graph.initializers[name] = nil
            casts.append(Node(name: names.fresh("\(name)_cast"), opType: "Cast", inputs: [stored], outputs: [name],
                              attributes: ["to": .int(Int(DataType.float32.rawValue))]))
            report.converted.append(.init(name: name, opType: opType,
                                         detail: "\(tensor.shape) stored as \(storage), Cast to float\(why)"))
        }
        graph.nodes = casts + graph.nodes
        model.graph = graph
        return model
    }

    /// The nodes that read a weight `convert` would store as `target`: the layers `--exclude`
    /// and the accuracy gate can keep in FP32, in graph order.
    static func layers(of model: Model, target: DataType) -> [AccuracyGate.Layer] {
        let graph = model.graph
        let normalisation = Self.normalisationInputs(of: graph)
        return graph.nodes.enumerated().compactMap { index, node in
            let converts = node.inputs.contains { name in
                guard let tensor = graph.initializers[name], tensor.dataType == .float32 else { return false }
                return reasonToKeep(tensor, name: name, target: target, normalisation: normalisation) == nil
            }
            return converts ? AccuracyGate.Layer(nodeIndex: index, name: node.displayName, opType: node.opType) : nil
        }
    }

    /// The parameters and statistics of the graph's normalisation nodes (all inputs but the data).
    static func normalisationInputs(of graph: Graph) -> Set<String> {
        Set(graph.nodes.filter { normalisationOps.contains($0.opType) }.flatMap { $0.inputs.dropFirst() })
    }

    /// Why `tensor` must stay FP32, or nil when it can be stored in `target`.
    static func reasonToKeep(_ tensor: Tensor, name: String, target: DataType, normalisation: Set<String>) -> String? {
        if normalisation.contains(name) { return "normalisation parameter or statistic" }
        if tensor.rank < 2 { return tensor.rank == 1 ? "1-D (bias or per-channel vector)" : "scalar" }
        if tensor.count < minimumElements { return "\(tensor.count) elements: nothing to gain" }
        if target == .float16 {
            let largest = tensor.withUnsafeBufferPointer(of: Float.self) { $0.reduce(0) { max($0, abs($1)) } }
            if !(largest <= Float(Float16.greatestFiniteMagnitude)) {
                return "max |x| = \(largest) exceeds float16's \(Float16.greatestFiniteMagnitude)"
            }
        }
        return nil
    }
}
