import Metrics
import Synchronization

/// Records one model version's statistics (Triton's meanings, see `ModelStatistics`) and the
/// same events as swift-metrics metrics (`MetricNames`), from any thread.
final class ModelStatisticsRecorder: Sendable {
    private let statistics: Mutex<ModelStatistics>
    private let requestSuccess: Counter
    private let requestFailure: Counter
    private let inferenceCount: Counter
    private let executionCount: Counter
    private let oneThreadExecutionCount: Counter
    private let queueDuration: Recorder
    private let computeInputDuration: Recorder
    private let computeInferDuration: Recorder
    private let computeOutputDuration: Recorder
    private let requestDuration: Recorder
    private let batchSize: Recorder
    private let queueDepth: Gauge

    /// Records into `factory`'s metrics (the global `MetricsSystem`'s when nil).
    init(name: String, version: Int64, factory: (any MetricsFactory)? = nil) {
        let factory = factory ?? MetricsSystem.factory
        statistics = Mutex(ModelStatistics(name: name, version: "\(version)"))
        let dimensions = [("model", name), ("version", "\(version)")]
        requestSuccess = Counter(label: MetricNames.requestSuccess, dimensions: dimensions, factory: factory)
        requestFailure = Counter(label: MetricNames.requestFailure, dimensions: dimensions, factory: factory)
        inferenceCount = Counter(label: MetricNames.inferenceCount, dimensions: dimensions, factory: factory)
        executionCount = Counter(label: MetricNames.executionCount, dimensions: dimensions, factory: factory)
        oneThreadExecutionCount = Counter(label: MetricNames.oneThreadExecutionCount, dimensions: dimensions, factory: factory)
        queueDuration = Recorder(label: MetricNames.queueDuration, dimensions: dimensions, aggregate: true, factory: factory)
        computeInputDuration = Recorder(label: MetricNames.computeInputDuration, dimensions: dimensions, aggregate: true, factory: factory)
        computeInferDuration = Recorder(label: MetricNames.computeInferDuration, dimensions: dimensions, aggregate: true, factory: factory)
        computeOutputDuration = Recorder(label: MetricNames.computeOutputDuration, dimensions: dimensions, aggregate: true, factory: factory)
        requestDuration = Recorder(label: MetricNames.requestDuration, dimensions: dimensions, aggregate: true, factory: factory)
        batchSize = Recorder(label: MetricNames.batchSize, dimensions: dimensions, aggregate: true, factory: factory)
        queueDepth = Gauge(label: MetricNames.queueDepth, dimensions: dimensions, factory: factory)
    }

    var snapshot: ModelStatistics { statistics.withLock { $0 } }

    /// One engine run of `items` items and the requests it answered, each with its time since
    /// arrival; durations in nanoseconds; `oneThread` when a session with several threads ran it
    /// on one. One update, so a statistics snapshot never shows a batch's inferences without its
    /// successful requests (perf_analyzer compares the two).
    func recordExecution(items: Int, inputNanoseconds: UInt64, inferNanoseconds: UInt64, outputNanoseconds: UInt64,
                         succeededRequestNanoseconds: [UInt64] = [], oneThread: Bool = false) {
        statistics.withLock { stats in
            for nanoseconds in succeededRequestNanoseconds { stats.success.record(nanoseconds: nanoseconds) }
            stats.executionCount += 1
            stats.inferenceCount += UInt64(items)
            stats.lastInferenceMilliseconds = MonotonicClock.epochMilliseconds()
            stats.computeInput.record(nanoseconds: inputNanoseconds)
            stats.computeInfer.record(nanoseconds: inferNanoseconds)
            stats.computeOutput.record(nanoseconds: outputNanoseconds)
            let index = stats.batchStatistics.firstIndex { $0.batchSize >= items } ?? stats.batchStatistics.endIndex
            if index == stats.batchStatistics.endIndex || stats.batchStatistics[index].batchSize != items {
                stats.batchStatistics.insert(.init(batchSize: items), at: index)
            }
            stats.batchStatistics[index].computeInput.record(nanoseconds: inputNanoseconds)
            stats.batchStatistics[index].computeInfer.record(nanoseconds: inferNanoseconds)
            stats.batchStatistics[index].computeOutput.record(nanoseconds: outputNanoseconds)
        }
        executionCount.increment()
        if oneThread { oneThreadExecutionCount.increment() }
        inferenceCount.increment(by: Int64(items))
        batchSize.record(items)
        computeInputDuration.record(Self.microseconds(inputNanoseconds))
        computeInferDuration.record(Self.microseconds(inferNanoseconds))
        computeOutputDuration.record(Self.microseconds(outputNanoseconds))
        for nanoseconds in succeededRequestNanoseconds {
            requestSuccess.increment()
            requestDuration.record(Self.microseconds(nanoseconds))
        }
    }

    /// A request left the queue for a batch after waiting `nanoseconds`.
    func recordQueued(nanoseconds: UInt64) {
        statistics.withLock { $0.queue.record(nanoseconds: nanoseconds) }
        queueDuration.record(Self.microseconds(nanoseconds))
    }

    /// A request finished, `nanoseconds` after it arrived.
    func recordRequest(succeeded: Bool, nanoseconds: UInt64) {
        statistics.withLock { stats in
            if succeeded {
                stats.success.record(nanoseconds: nanoseconds)
            } else {
                stats.fail.record(nanoseconds: nanoseconds)
            }
        }
        (succeeded ? requestSuccess : requestFailure).increment()
        requestDuration.record(Self.microseconds(nanoseconds))
    }

    func recordQueueDepth(_ depth: Int) {
        queueDepth.record(depth)
    }

    private static func microseconds(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1000 }
}
