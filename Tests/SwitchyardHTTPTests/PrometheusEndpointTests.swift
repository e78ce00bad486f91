import Hummingbird
import HummingbirdTesting
import Metrics
import Prometheus
import Testing
@testable import SwitchyardHTTP

@Suite struct PrometheusEndpointTests {
    @Test func servesRecordedMetricsAndProcessGauges() async throws {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusEndpoint.makeFactory(registry: registry, histogramBuckets: ["switchyard_batch_size": [1, 2, 4, 8]])
        // Record through swift-metrics' API with an explicit factory (the global bootstrap can
        // happen only once per process, so tests do not use it).
        let success = Counter(label: "switchyard_inference_request_success", dimensions: [("model", "affine"), ("version", "1")],
                              factory: factory)
        success.increment(by: 3)
        let batch = Recorder(label: "switchyard_batch_size", dimensions: [("model", "affine")], aggregate: true, factory: factory)
        batch.record(4)
        let queue = Recorder(label: "switchyard_inference_queue_duration_us", dimensions: [("model", "affine")], aggregate: true,
                             factory: factory)
        queue.record(700)

        let app = Application(router: PrometheusEndpoint.router(registry: registry))
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(buffer: response.body)
            #expect(text.contains(#"switchyard_inference_request_success{model="affine",version="1"} 3"#))
            #expect(text.contains(#"switchyard_batch_size_bucket{model="affine",le="4.0"} 1"#))
            #expect(text.contains(#"switchyard_inference_queue_duration_us_bucket{model="affine",le="1000.0"} 1"#))
            let rss = try #require(Self.value(of: "process_resident_memory_bytes", in: text))
            #expect(rss > Double(1 << 20))
            let cpu = try #require(Self.value(of: "process_cpu_seconds_total", in: text))
            #expect(cpu > 0)
            #expect(try await client.execute(uri: "/nothing", method: .get).status == .notFound)
        }
    }

    @Test func processSampleReadsProc() throws {
        let sample = try #require(ProcessMetrics.sample())
        #expect(sample.residentBytes > 1 << 20)
        #expect(sample.virtualBytes >= sample.residentBytes)
        // Burn a little CPU; the counter must not go backwards.
        var sum = 0.0
        for index in 0..<2_000_000 { sum += Double(index).squareRoot() }
        #expect(sum > 0)
        let later = try #require(ProcessMetrics.sample())
        #expect(later.cpuSeconds >= sample.cpuSeconds)
    }

    private static func value(of metric: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(metric + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
    }
}
