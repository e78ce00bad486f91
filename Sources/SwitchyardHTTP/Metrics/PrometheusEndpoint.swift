import Metrics
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// The Prometheus scrape endpoint (`GET /metrics`, Triton's metrics port 8002) as a
/// swift-service-lifecycle `Service`. It serves whatever the serving code recorded through
/// swift-metrics into `registry`, plus process CPU and RSS gauges refreshed at each scrape, after
/// `beforeScrape` (which refreshes gauges of its own, such as the models' loaded bytes).
/// The metric names and their Triton equivalents are in docs/metrics.md.
public struct PrometheusEndpoint: Service {
    private let application: Application<RouterResponder<BasicRequestContext>>

    public init(
        registry: PrometheusCollectorRegistry,
        host: String = "0.0.0.0",
        port: Int = 8002,
        logger: Logger,
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in },
        beforeScrape: @escaping @Sendable () async -> Void = {}
    ) {
        application = Application(
            router: Self.router(registry: registry, beforeScrape: beforeScrape),
            configuration: .init(address: .hostname(host, port: port), serverName: "switchyard"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    public func run() async throws {
        try await application.run()
    }

    /// `GET /metrics` over `registry` (tests drive it with `app.test(.router)`).
    public static func router(registry: PrometheusCollectorRegistry,
                              beforeScrape: @escaping @Sendable () async -> Void = {}) -> Router<BasicRequestContext> {
        let router = Router()
        let process = ProcessMetrics(registry: registry)
        router.get("/metrics") { _, _ in
            await beforeScrape()
            process.update()
            let text = registry.emitToBuffer()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
        return router
    }

    /// Makes `registry` the backend of swift-metrics for the whole process. Call once, at start,
    /// before any metric is created (swift-metrics allows one bootstrap per process).
    ///
    /// - Parameter histogramBuckets: buckets per metric label for the aggregating `Recorder`s
    ///   (the batcher's µs durations and batch size: pass its `MetricNames` buckets); other
    ///   recorders get microsecond buckets from 50 µs to 10 s.
    public static func bootstrapMetricsSystem(registry: PrometheusCollectorRegistry, histogramBuckets: [String: [Double]] = [:]) {
        MetricsSystem.bootstrap(makeFactory(registry: registry, histogramBuckets: histogramBuckets))
    }

    /// The swift-metrics factory `bootstrapMetricsSystem` installs (exposed for tests, which
    /// cannot bootstrap the global system more than once).
    public static func makeFactory(registry: PrometheusCollectorRegistry, histogramBuckets: [String: [Double]] = [:]) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultValueHistogramBuckets = [
            50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
            1_000_000, 2_500_000, 10_000_000,
        ]
        factory.valueHistogramBuckets = histogramBuckets
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(10),
        ]
        return factory
    }
}
