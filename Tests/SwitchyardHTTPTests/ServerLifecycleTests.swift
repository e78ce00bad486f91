import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Testing
@testable import SwitchyardHTTP

/// The two servers as the CLI runs them: `Service`s in one `ServiceGroup` on loopback ports
/// (port 0: the kernel picks free ones), answering real HTTP, then shutting down gracefully.
@Suite struct ServerLifecycleTests {
    @Test func bothServersServeInAServiceGroupAndStopGracefully() async throws {
        let logger = Logger(label: "test")
        let (ports, portSink) = AsyncStream.makeStream(of: (String, Int).self)
        let service = try TestInferenceService.standard()
        let http = KServeHTTPServer(service: service, configuration: .init(host: "127.0.0.1", port: 0), logger: logger) {
            portSink.yield(("http", $0))
        }
        let metrics = PrometheusEndpoint(registry: PrometheusCollectorRegistry(), host: "127.0.0.1", port: 0, logger: logger) {
            portSink.yield(("metrics", $0))
        }
        let group = ServiceGroup(services: [http, metrics], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var bound: [String: Int] = [:]
            for await (name, port) in ports {
                bound[name] = port
                if bound.count == 2 { break }
            }
            let httpPort = try #require(bound["http"])
            let metricsPort = try #require(bound["metrics"])
            #expect(httpPort > 0 && metricsPort > 0 && httpPort != metricsPort)

            let client = TestClient(host: "127.0.0.1", port: httpPort)
            client.connect()
            let ready = try await client.execute(.init("/v2/health/ready", method: .get))
            #expect(ready.status == .ok)
            let body = #"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,-1,2,-2]}]}"#
            let infer = try await client.execute(.init("/v2/models/affine/infer", method: .post, body: ByteBuffer(string: body)))
            #expect(infer.status == .ok)
            #expect(infer.headers[.server] == "switchyard")
            try await client.shutdown()

            let scraper = TestClient(host: "127.0.0.1", port: metricsPort)
            scraper.connect()
            let scrape = try await scraper.execute(.init("/metrics", method: .get))
            #expect(scrape.status == .ok)
            #expect(String(buffer: scrape.body ?? ByteBuffer()).contains("process_resident_memory_bytes"))
            try await scraper.shutdown()

            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
