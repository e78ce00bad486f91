import Metrics
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// The Prometheus scrape endpoint (`GET /metrics`, Triton's metrics port 8002) as a
/// swift-service-lifecycle `Service`. It serves whatever the serving code recorded through
/// swift-metrics into `registry`, plus process CPU and RSS gauges refreshed at each scrape.
/// The metric names and their Triton equivalents are in docs/metrics.md.
public struct PrometheusEndpoint: Service {
    private let application: Application<RouterResponder<BasicRequestContext>>

    public init(
        registry: PrometheusCollectorRegistry,
        host: String = "0.0.0.0",
        port: Int = 8002,
        logger: Logger,
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) {
        application = Application(
            router: Self.router(registry: registry),
            configuration: .init(address: .hostname(host, port: port), serverName: "switchyard"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    public func run() async throws {
        try await application.run()
    }

    /// `GET /metrics` over `registry` (tests drive it with `app.test(.router)`).
    public static func router(registry: PrometheusCollectorRegistry) -> Router<BasicRequestContext> {
        let router = Router()
        let process = ProcessMetrics(registry: registry)
        router.get("/metrics") { _, _ in
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
    /// Histograms of batch sizes get power-of-two buckets; durations use seconds buckets from
    /// 100 µs to 10 s.
    public static func bootstrapMetricsSystem(registry: PrometheusCollectorRegistry) {
        MetricsSystem.bootstrap(makeFactory(registry: registry))
    }

    /// The swift-metrics factory `bootstrapMetricsSystem` installs (exposed for tests, which
    /// cannot bootstrap the global system more than once).
    public static func makeFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
        ]
        factory.defaultValueHistogramBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256]
        return factory
    }
}
