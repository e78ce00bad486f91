import Synchronization
import SwitchyardGraph
import SwitchyardTensor

/// Options for a `Session`.
public struct SessionOptions: Sendable {
    /// Threads this session's runs may use: oneDNN's OpenMP team size on the calling thread, or,
    /// for a batch of a model that keeps its items apart, one piece of the batch per thread.
    public var threads: Int
    /// Use reference kernels only (the oracle): for checking the fast path.
    public var referenceOnly: Bool
    /// When set, every run adds each node's wall-clock time to it (and uses all `threads`).
    public var profile: StepProfile?
    /// With more than one thread, whether a run may take one thread instead, where runs on inputs
    /// of the same shapes have been measured faster that way (`ThreadChoice`): on a machine whose
    /// other processes keep cores busy, a team's barriers wait for threads that are not running.
    public var adaptsThreads: Bool

    public init(threads: Int = 1, referenceOnly: Bool = false, profile: StepProfile? = nil, adaptsThreads: Bool = true) {
        self.threads = threads
        self.referenceOnly = referenceOnly
        self.profile = profile
        self.adaptsThreads = adaptsThreads
    }
}

/// Runs one loaded model. Several sessions may share a `LoadedModel` (and so its weights); each
/// compiles its own program with its own kernel choice (see `KernelSelection`).
///
/// Threading: `run` may be called from several threads at once; each call computes on the
/// calling thread. Call it from a dedicated worker thread, never from Swift's cooperative pool.
/// With more than one thread, a batch of a model that keeps its items apart
/// (`LoadedModel.batchSeparability`) is cut into one piece per thread, run at once on the
/// calling thread and the session's own helper threads (`BatchSplitRun`); other runs give
/// oneDNN an OpenMP team of that size. Unless `SessionOptions.adaptsThreads` is off, each run
/// may instead take one thread, where that has been measured faster (`ThreadChoice`).
public final class Session: Sendable {
    public let loadedModel: LoadedModel
    public let options: SessionOptions
    let program: ExecutableProgram
    /// The single-threaded program: it runs the pieces of a split batch, and the runs
    /// `threadChoice` gives one thread; made at its first use.
    private let singleThreadProgram = Mutex<ExecutableProgram?>(nil)
    /// The helper threads that run the pieces of a split batch; made at the first split.
    private let pieceWorkers = Mutex<PieceWorkers?>(nil)
    /// Whether each run uses all threads or one (nil: always all of them).
    private let threadChoice: ThreadChoice?
    /// The reference-kernel program that runs inputs holding NaN or ±Inf, which the oneDNN
    /// kernels would turn finite (`NonFiniteInputs`); made at the first such run.
    private let nonFiniteProgram = Mutex<ExecutableProgram?>(nil)
    /// The large buffers a run frees, kept for the next run (`BufferPool`).
    private let buffers = BufferPool()

    /// A session over an already loaded model.
    public init(model: LoadedModel, options: SessionOptions = SessionOptions()) throws(EngineError) {
        loadedModel = model
        self.options = options
        program = try ExecutableProgram(model: model, options: options)
        let adapts = options.threads > 1 && options.adaptsThreads && !options.referenceOnly && options.profile == nil
        threadChoice = adapts ? ThreadChoice() : nil
    }

    /// Loads `model` (optimizing it) and makes a session over it.
    public convenience init(model: Model, options: SessionOptions = SessionOptions()) throws(EngineError) {
        try self.init(model: LoadedModel(model: model), options: options)
    }

    /// The optimized model this session runs.
    public var model: Model { loadedModel.model }
    /// The model's runtime inputs and outputs.
    public var inputs: [ValueInfo] { loadedModel.inputs }
    public var outputs: [ValueInfo] { loadedModel.outputs }

    /// Whether runs may take one thread instead of all (`SessionOptions.adaptsThreads`, with more
    /// than one thread, on the fast kernels, without a profile).
    public var choosesThreads: Bool { threadChoice != nil }

    /// Runs so far on one thread and on all of the session's threads (all zero when the session
    /// does not choose: `choosesThreads`).
    public var runWidthCounts: (oneThread: Int, allThreads: Int) { threadChoice?.runCounts ?? (0, 0) }

    /// Bytes this session keeps between runs for the next ones, on top of its model's weights
    /// and packed weights (`LoadedModel`): the large buffers of its last runs and a scratch arena
    /// per thread that ran it at once, where its oneDNN regions keep their values (`BufferPool`).
    /// Between runs this is what the session holds; it grows with the batch and image sizes it
    /// has run.
    public var keptBufferBytes: Int { buffers.keptBytes }

    /// Runs the model on `inputs` (by input name) and returns every graph output by name.
    public func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        let declared = loadedModel.inputs
        try InputValidator.validate(inputs, against: declared)
        let ordered = declared.map { inputs[$0.name] }
        // A graph whose fused nodes have no reference kernel keeps the fast path.
        defer { buffers.endRun() }
        let results: [Tensor] = try buffers.withCurrent {
            guard let threadChoice else { return try runOnAllThreads(ordered) }
            let shapes = ordered.map { $0?.shape ?? [] }
            let width = threadChoice.width(for: shapes)
            let started = ContinuousClock.now
            let outputs = width == .single ? try runChecked(singleThreaded(), ordered) : try runOnAllThreads(ordered)
            threadChoice.record(StepProfile.seconds(since: started), width: width, for: shapes)
            return outputs
        }
        var named: [String: Tensor] = [:]
        for (info, tensor) in zip(loadedModel.outputs, results) { named[info.name] = tensor }
        return named
    }

    /// The outputs of `inputs` on all the session's threads: split into pieces when it can be,
    /// else on `program`.
    private func runOnAllThreads(_ inputs: [Tensor?]) throws -> [Tensor] {
        if let split = try splitRun(inputs) { return split }
        return try runChecked(program, inputs)
    }

    /// `program`'s outputs for `inputs`, or the reference kernels' when a float input holds NaN or
    /// ±Inf, which the oneDNN kernels would turn finite (`NonFiniteInputs`). A split batch checks
    /// each piece on its own thread, so the scan of a large input is shared out too.
    private func runChecked(_ program: ExecutableProgram, _ inputs: [Tensor?]) throws -> [Tensor] {
        if !options.referenceOnly && NonFiniteInputs.present(in: inputs) {
            return try (referenceProgram() ?? program).run(inputs: inputs, profile: options.profile)
        }
        return try program.run(inputs: inputs, profile: options.profile)
    }

    /// The outputs of `inputs` run as one piece per thread, or nil when this run is not split
    /// (one thread, one item, a model that mixes items, or the helpers busy with another run).
    private func splitRun(_ inputs: [Tensor?]) throws -> [Tensor]? {
        guard options.threads > 1, !options.referenceOnly, loadedModel.batchSeparability.isSeparable,
              let batch = BatchSplitRun.batchSize(of: inputs), batch > 1 else { return nil }
        let pieces = BatchSplitRun.pieces(batch: batch, threads: options.threads)
        let program = try singleThreaded()
        let workers = pieceWorkers.withLock { workers in
            if workers == nil { workers = PieceWorkers(count: options.threads - 1, name: "switchyard-piece") }
            return workers!
        }
        return try BatchSplitRun.run(inputs: inputs, pieces: pieces, workers: workers, buffers: buffers) { piece in
            try self.runChecked(program, piece)
        }
    }

    /// The program that computes on the calling thread alone (`program` itself for one thread).
    private func singleThreaded() throws(EngineError) -> ExecutableProgram {
        if options.threads <= 1 { return program }
        return try singleThreadProgram.withLock { made throws(EngineError) in
            if let made { return made }
            var single = options
            single.threads = 1
            let program = try ExecutableProgram(model: loadedModel, options: single)
            made = program
            return program
        }
    }

    private func referenceProgram() -> ExecutableProgram? {
        if let made = nonFiniteProgram.withLock({ $0 }) { return made }
        var options = self.options
        options.referenceOnly = true
        guard let made = try? ExecutableProgram(model: loadedModel, options: options) else { return nil }
        return nonFiniteProgram.withLock { stored in
            if let stored { return stored }
            stored = made
            return made
        }
    }
}
