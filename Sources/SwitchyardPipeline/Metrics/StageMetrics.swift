import CoreMetrics
import Metrics
import Synchronization

/// One stage's measurements: exported through swift-metrics and kept in process for the run's
/// summary (counts and latency percentiles).
final class StageMetrics: Sendable {
    let stage: String
    private let latencyTimer: Metrics.Timer
    private let depthGauge: Gauge
    private let droppedCounter: Counter
    private let itemsCounter: Counter
    private let state = Mutex(State())

    private struct State {
        var items = 0
        var dropped = 0
        var errors = 0
        var events = 0
        /// The most recent `sampleLimit` latencies, as a ring.
        var latencies: [Double] = []
        var nextSample = 0
    }

    private static let sampleLimit = 100_000

    /// Records into `factory`'s metrics (the global `MetricsSystem`'s when nil).
    init(pipeline: String, stage: String, factory: (any MetricsFactory)? = nil) {
        self.stage = stage
        let factory = factory ?? MetricsSystem.factory
        let dimensions = [("pipeline", pipeline), ("stage", stage)]
        latencyTimer = Metrics.Timer(label: PipelineMetricNames.stageLatency, dimensions: dimensions, factory: factory)
        depthGauge = Gauge(label: PipelineMetricNames.queueDepth, dimensions: dimensions, factory: factory)
        droppedCounter = Counter(label: PipelineMetricNames.dropped, dimensions: dimensions, factory: factory)
        itemsCounter = Counter(label: PipelineMetricNames.items, dimensions: dimensions, factory: factory)
    }

    func recordItem(latencySeconds: Double? = nil, failed: Bool = false) {
        itemsCounter.increment()
        state.withLock { state in
            state.items += 1
            if failed { state.errors += 1 }
        }
        if let latencySeconds { recordLatency(seconds: latencySeconds) }
    }

    /// A duration that is not per item (a sink's batch write).
    func recordLatency(seconds: Double) {
        latencyTimer.recordSeconds(seconds)
        state.withLock { state in
            if state.latencies.count < Self.sampleLimit {
                state.latencies.append(seconds)
            } else {
                state.latencies[state.nextSample] = seconds
                state.nextSample = (state.nextSample + 1) % Self.sampleLimit
            }
        }
    }

    /// Events a sink wrote.
    func recordEvents(_ count: Int) {
        state.withLock { $0.events += count }
    }

    func recordDrop() {
        droppedCounter.increment()
        state.withLock { $0.dropped += 1 }
    }

    func recordQueueDepth(_ depth: Int) {
        depthGauge.record(depth)
    }

    var snapshot: StageSummary {
        state.withLock { state in
            let sorted = state.latencies.sorted()
            return StageSummary(stage: stage, items: state.items, errors: state.errors, dropped: state.dropped, events: state.events,
                                latencyP50: Self.percentile(sorted, 0.50), latencyP99: Self.percentile(sorted, 0.99))
        }
    }

    private static func percentile(_ sorted: [Double], _ fraction: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }
}

/// A stage's totals at the end of (or during) a run.
public struct StageSummary: Sendable, Equatable {
    public var stage: String
    /// Items the stage took in (sources: items produced).
    public var items: Int
    /// Items the stage failed on (each became an error event).
    public var errors: Int
    /// Items a `drop-oldest` source dropped.
    public var dropped: Int
    /// Events a sink wrote (0 for other stages).
    public var events: Int
    /// Median and 99th-percentile time per item, seconds (nil when the stage timed nothing).
    public var latencyP50: Double?
    public var latencyP99: Double?
}
