import SwitchyardGraph
import SwitchyardONNX
import SwitchyardTensor

/// How a model is prepared when it is loaded.
public struct LoadOptions: Sendable {
    /// Run the graph optimizer (folding, fusion, dead-node removal).
    public var optimize: Bool
    /// Largest tensor constant folding may create, in bytes.
    public var foldingByteLimit: Int
    /// Memory plans kept per model (one per distinct set of input shapes).
    public var planCacheCapacity: Int
    /// Activations fusion may fold into fused nodes (`FusedActivation.name` values).
    public var fusedActivations: Set<String>
    /// Which quantized layers of a QDQ model run in int8 and which on the float path.
    public var quantizedExecution: QuantizedExecution
    /// Whether convolutions and matmuls whose weights the model stores in BF16 compute in BF16
    /// (oneDNN's native kernels) rather than in FP32 after their Casts. Default: where this CPU
    /// has BF16 arithmetic (`DNNLBF16Support`).
    public var bf16Compute: Bool

    public init(optimize: Bool = true, foldingByteLimit: Int = 64 << 20, planCacheCapacity: Int = 8,
                fusedActivations: Set<String> = FusedActivation.fusedByDefault,
                quantizedExecution: QuantizedExecution = .automatic,
                bf16Compute: Bool = DNNLBF16Support.isAvailable) {
        self.optimize = optimize
        self.foldingByteLimit = foldingByteLimit
        self.planCacheCapacity = planCacheCapacity
        self.fusedActivations = fusedActivations
        self.quantizedExecution = quantizedExecution
        self.bf16Compute = bf16Compute
    }
}

/// A model loaded once and shared by every `Session` that runs it: the optimized graph, its
/// weights, the optimizer's report and the memory plans per input-shape signature.
///
/// Loading reports every operator the engine cannot run at once
/// (`EngineError.unsupportedOperators`), before any session exists.
public final class LoadedModel: Sendable {
    /// The optimized model; its graph's `valueInfo` holds the inferred (possibly symbolic) shape
    /// of every intermediate value.
    public let model: Model
    /// What the optimizer changed.
    public let report: OptimizationReport
    public let options: LoadOptions
    /// Whether a batch can be cut into pieces that run at once on separate threads.
    public let batchSeparability: BatchSeparability
    /// The weights reordered for oneDNN, one copy shared by every session of the model.
    public let packedWeights = PackedWeights()
    private let plans: MemoryPlanCache

    /// Loads `model`: optimizes it (unless `options.optimize` is false), infers shapes, and
    /// checks that every node has a kernel and reads only defined values.
    public init(model: Model, options: LoadOptions = LoadOptions()) throws(EngineError) {
        var prepared = model
        if options.optimize {
            (prepared, report) = Optimizer.standard(foldingByteLimit: options.foldingByteLimit,
                                                     fusedActivations: options.fusedActivations,
                                                     quantizedExecution: options.quantizedExecution,
                                                     bf16Compute: options.bf16Compute).optimize(model)
        } else {
            let count = model.graph.allNodes().count
            report = OptimizationReport(changes: [], rounds: 0, nodesBefore: count, nodesAfter: count)
        }
        ShapeInference.annotate(&prepared.graph, opsets: prepared.opsetImports)
        // Compiling checks the graph and lists every unsupported operator at once.
        _ = try GraphProgram(graph: prepared.graph, opsets: prepared.opsetImports, outerNames: []) { node, _ in
            ReferenceKernels.kernel(opType: node.opType, domain: node.domain)
        }
        self.model = prepared
        self.options = options
        batchSeparability = BatchSeparability.analyze(prepared.graph, opsets: prepared.opsetImports)
        plans = MemoryPlanCache(capacity: options.planCacheCapacity)
    }

    /// Loads the ONNX model at `path` (external data is read relative to it). Throws
    /// `ONNXError` when the file cannot be read or decoded, `EngineError` when the engine
    /// cannot run the model.
    public convenience init(contentsOf path: String, options: LoadOptions = LoadOptions()) throws {
        try self.init(model: ModelLoader.load(path: path), options: options)
    }

    /// The optimized graph.
    public var graph: Graph { model.graph }
    public var inputs: [ValueInfo] { model.graph.inputs }
    public var outputs: [ValueInfo] { model.graph.outputs }
    /// Every change the optimizer made, in order.
    public var changes: [PassChange] { report.changes }

    /// Bytes held by the weights (initializers of the graph and all its subgraphs).
    public var weightBytes: Int { Self.initializerBytes(of: model.graph) }

    /// Bytes of the weights packed for oneDNN so far, by every session of the model (they are
    /// packed when a session first runs a shape, beside the weights, which stay for the kernels
    /// that read them as they are).
    public var packedWeightBytes: Int { packedWeights.byteCount }

    /// The memory plan for one run with these concrete input shapes (cached per signature).
    public func memoryPlan(for inputShapes: [String: [Int]]) throws(EngineError) -> MemoryPlan {
        try InputValidator.validateShapes(inputShapes, against: model.graph.inputs)
        return plans.plan(for: inputShapes) {
            let facts = ShapeInference.infer(model.graph, opsets: model.opsetImports,
                                             inputShapes: inputShapes.mapValues { $0.map(Dimension.fixed) })
            return MemoryPlanner.plan(graph: model.graph, shapes: facts.compactMapValues(\.concreteShape),
                                      dataTypes: facts.compactMapValues(\.dataType))
        }
    }

    /// Arena bytes one run with these input shapes needs for its intermediates.
    public func arenaBytes(for inputShapes: [String: [Int]]) throws(EngineError) -> Int {
        try memoryPlan(for: inputShapes).arenaBytes
    }

    /// Concrete shapes of every value that follows from these input shapes.
    public func inferConcreteShapes(inputs: [String: [Int]]) -> [String: [Int]] {
        ShapeInference.inferConcreteShapes(model.graph, opsets: model.opsetImports, inputs: inputs)
    }

    /// Input-shape signatures whose plans are cached, least recently used first.
    var cachedPlanSignatures: [[String: [Int]]] { plans.signatures }

    private static func initializerBytes(of graph: Graph) -> Int {
        graph.initializerBytes + graph.nodes.flatMap(\.subgraphs).reduce(0) { $0 + initializerBytes(of: $1) }
    }
}
