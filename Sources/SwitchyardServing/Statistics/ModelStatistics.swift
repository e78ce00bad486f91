/// A count and the total time it took, as Triton's statistics extension reports them.
public struct DurationStatistic: Sendable, Equatable {
    public var count: UInt64
    public var nanoseconds: UInt64

    public init(count: UInt64 = 0, nanoseconds: UInt64 = 0) {
        self.count = count
        self.nanoseconds = nanoseconds
    }

    public mutating func record(nanoseconds elapsed: UInt64, count added: UInt64 = 1) {
        count += added
        nanoseconds += elapsed
    }
}

/// Statistics of one model version, with the fields of Triton's statistics extension
/// (`GET /v2/models/{m}/stats`) plus Switchyard's residency figures.
///
/// Triton's meanings, which perf_analyzer relies on: `inferenceCount` counts items (a request
/// of batch 4 counts 4), `executionCount` counts engine runs; `success`, `fail` and `queue` count
/// requests; `computeInput/Infer/Output` count executions and are equal.
public struct ModelStatistics: Sendable, Equatable {
    /// Per batch size: the executions of that size and their compute times.
    public struct BatchStatistics: Sendable, Equatable {
        public var batchSize: Int
        public var computeInput: DurationStatistic
        public var computeInfer: DurationStatistic
        public var computeOutput: DurationStatistic

        public init(batchSize: Int, computeInput: DurationStatistic = .init(),
                    computeInfer: DurationStatistic = .init(), computeOutput: DurationStatistic = .init()) {
            self.batchSize = batchSize
            self.computeInput = computeInput
            self.computeInfer = computeInfer
            self.computeOutput = computeOutput
        }
    }

    /// Loads, unloads and evictions of the model (all versions) and what it holds.
    public struct Residency: Sendable, Equatable {
        public var loadCount: UInt64 = 0
        public var unloadCount: UInt64 = 0
        public var evictionCount: UInt64 = 0
        /// Time the last load took.
        public var lastLoadNanoseconds: UInt64 = 0
        /// Bytes the loaded version holds: weights plus planned arenas.
        public var bytes: UInt64 = 0

        public init() {}
    }

    public var name: String
    public var version: String
    /// Milliseconds since the Unix epoch of the last inference; 0 if none.
    public var lastInferenceMilliseconds: UInt64 = 0
    public var inferenceCount: UInt64 = 0
    public var executionCount: UInt64 = 0
    public var success = DurationStatistic()
    public var fail = DurationStatistic()
    public var queue = DurationStatistic()
    public var computeInput = DurationStatistic()
    public var computeInfer = DurationStatistic()
    public var computeOutput = DurationStatistic()
    public var batchStatistics: [BatchStatistics] = []
    public var residency = Residency()
    /// What the load-time batch profile measured and chose (nil before the version serves).
    public var batchProfile: BatchProfile?
    /// Which precision variant serves and what it holds (nil before the version serves).
    public var precision: PrecisionStatistics?
    /// Shadow evaluation against a reference variant; nil when the model is not shadowed.
    public var shadow: ShadowStatistics?

    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }
}
