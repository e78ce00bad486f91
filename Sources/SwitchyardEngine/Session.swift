import SwitchyardGraph
import SwitchyardTensor

/// Options for a `Session`.
public struct SessionOptions: Sendable {
    /// Threads this session's kernels may use (oneDNN's OpenMP team size on the calling thread).
    public var threads: Int
    /// Use reference kernels only (the oracle): for checking the fast path.
    public var referenceOnly: Bool

    public init(threads: Int = 1, referenceOnly: Bool = false) {
        self.threads = threads
        self.referenceOnly = referenceOnly
    }
}

/// Runs one model. Compiles the graph at creation, so unsupported operators are reported before
/// the first run, all at once.
///
/// Threading: `run` may be called from several threads at once; each call computes on the
/// calling thread. Call it from a dedicated worker thread, never from Swift's cooperative pool.
public final class Session: Sendable {
    public let model: Model
    public let options: SessionOptions
    let program: GraphProgram

    public init(model: Model, options: SessionOptions = SessionOptions()) throws(EngineError) {
        self.model = model
        self.options = options
        program = try GraphProgram(graph: model.graph, opsets: model.opsetImports, outerNames: []) { node, _ in
            ReferenceKernels.kernel(opType: node.opType, domain: node.domain)
        }
    }

    /// The model's runtime inputs and outputs.
    public var inputs: [ValueInfo] { model.graph.inputs }
    public var outputs: [ValueInfo] { model.graph.outputs }

    /// Runs the model on `inputs` (by input name) and returns every graph output by name.
    public func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        try InputValidator.validate(inputs, against: model.graph.inputs)
        let ordered = model.graph.inputs.map { inputs[$0.name] }
        let results = try program.run(inputs: ordered)
        var named: [String: Tensor] = [:]
        for (info, tensor) in zip(model.graph.outputs, results) { named[info.name] = tensor }
        return named
    }
}
