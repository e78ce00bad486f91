import CoreMetrics

/// How models are loaded and unloaded (`--model-control-mode`), as in Triton.
public enum ModelControlMode: String, Sendable, CaseIterable {
    /// Every model in the repository is loaded at start; the repository is not watched and
    /// load/unload requests are refused.
    case none
    /// Like `none`, and the repository is polled: new or changed models (re)load, removed ones
    /// unload, without dropping in-flight requests.
    case poll
    /// Only `--load-model` models load at start; clients load and unload with
    /// `POST /v2/repository/models/{m}/load|unload`.
    case explicit
}

/// Whether models stay loaded (`--residency`).
public enum ResidencyMode: String, Sendable, CaseIterable {
    /// Every model the control mode loads is loaded at start and stays; a load that would
    /// exceed the memory budget fails.
    case resident
    /// A model loads at its first request and idle models are evicted, least recently used
    /// first, to make room within the memory budget; `pinned` models are never evicted.
    case onDemand = "on-demand"
}

/// Everything `ModelManager` needs to know, from `switchyard serve`'s options.
public struct ModelManagerOptions: Sendable {
    public var repositoryPath: String
    public var controlMode: ModelControlMode
    /// Models to load at start in `explicit` mode.
    public var startupModels: [String]
    /// Seconds between repository scans in `poll` mode.
    public var pollIntervalSeconds: Double
    public var memoryBudget: MemoryBudget
    public var residency: ResidencyMode
    /// CPU threads for inference in total; each model's instances split them.
    public var threads: Int
    /// Cores instances run on when their model's `cpu_cores` names none (`CoreSplit.inference`);
    /// nil = not pinned.
    public var inferenceCores: [Int]?
    /// How long shutdown waits for queued and in-flight requests.
    public var shutdownTimeoutSeconds: Double
    /// Where model metrics go; nil records through the global `MetricsSystem` (what the server
    /// bootstraps). Tests pass a factory of their own.
    public var metricsFactory: (any MetricsFactory)?
    /// Says, from a model directory's path, whether another service serves it (a pipeline or an
    /// ensemble, served by SwitchyardPipeline's `RoutingInferenceService`): the manager then
    /// neither lists nor loads it. nil: every directory is an ONNX model.
    public var isServedElsewhere: (@Sendable (_ directory: String) -> Bool)?

    public init(repositoryPath: String, controlMode: ModelControlMode = .none, startupModels: [String] = [],
                pollIntervalSeconds: Double = 15, memoryBudget: MemoryBudget = .unlimited,
                residency: ResidencyMode = .resident, threads: Int, inferenceCores: [Int]? = nil, shutdownTimeoutSeconds: Double = 30,
                metricsFactory: (any MetricsFactory)? = nil, isServedElsewhere: (@Sendable (_ directory: String) -> Bool)? = nil) {
        self.repositoryPath = repositoryPath
        self.controlMode = controlMode
        self.startupModels = startupModels
        self.pollIntervalSeconds = pollIntervalSeconds
        self.memoryBudget = memoryBudget
        self.residency = residency
        self.threads = threads
        self.inferenceCores = inferenceCores
        self.shutdownTimeoutSeconds = shutdownTimeoutSeconds
        self.metricsFactory = metricsFactory
        self.isServedElsewhere = isServedElsewhere
    }
}
