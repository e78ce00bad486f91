import Metrics
import Synchronization

/// Records one model version's shadow evaluation (`ShadowStatistics`) and the same events as
/// swift-metrics metrics (`MetricNames.shadow…`), from any thread.
final class ShadowRecorder: Sendable {
    private let statistics: Mutex<ShadowStatistics>
    private let sampled: Counter
    private let compared: Counter
    private let droppedBusy: Counter
    private let failed: Counter
    private let agreement: Gauge
    private let maxAbsoluteError: Gauge
    private let meanAbsoluteError: Gauge

    init(name: String, version: Int64, initial: ShadowStatistics, factory: (any MetricsFactory)?) {
        let factory = factory ?? MetricsSystem.factory
        statistics = Mutex(initial)
        let dimensions = [("model", name), ("version", "\(version)"), ("reference", initial.reference)]
        sampled = Counter(label: MetricNames.shadowSampled, dimensions: dimensions, factory: factory)
        compared = Counter(label: MetricNames.shadowCompared, dimensions: dimensions, factory: factory)
        droppedBusy = Counter(label: MetricNames.shadowDroppedBusy, dimensions: dimensions, factory: factory)
        failed = Counter(label: MetricNames.shadowFailed, dimensions: dimensions, factory: factory)
        agreement = Gauge(label: MetricNames.shadowAgreement, dimensions: dimensions, factory: factory)
        maxAbsoluteError = Gauge(label: MetricNames.shadowMaxAbsoluteError, dimensions: dimensions, factory: factory)
        meanAbsoluteError = Gauge(label: MetricNames.shadowMeanAbsoluteError, dimensions: dimensions, factory: factory)
    }

    var snapshot: ShadowStatistics { statistics.withLock { $0 } }

    func recordSampled() {
        statistics.withLock { $0.sampled += 1 }
        sampled.increment()
    }

    func recordDroppedBusy() {
        statistics.withLock { $0.droppedBusy += 1 }
        droppedBusy.increment()
    }

    func recordFailed() {
        statistics.withLock { $0.failed += 1 }
        failed.increment()
    }

    /// One sample compared: the comparisons of its outputs.
    func recordCompared(_ comparisons: [ShadowComparison]) {
        // The metrics are recorded under the lock too, so that whoever sees the statistics
        // count this sample also finds its agreement and errors in the gauges.
        statistics.withLock { stats in
            stats.compared += 1
            for comparison in comparisons {
                stats.comparedUnits += UInt64(comparison.units)
                stats.agreeingUnits += UInt64(comparison.agreeingUnits)
                stats.comparedElements += UInt64(comparison.elements)
                stats.absoluteErrorSum += comparison.absoluteErrorSum
                stats.maxAbsoluteError = max(stats.maxAbsoluteError, comparison.maxAbsoluteError)
            }
            compared.increment()
            if let value = stats.agreement { agreement.record(value) }
            maxAbsoluteError.record(stats.maxAbsoluteError)
            if let value = stats.meanAbsoluteError { meanAbsoluteError.record(value) }
        }
    }
}
