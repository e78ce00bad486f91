import MetricsTestKit
import Testing
import SwitchyardTestSupport
@testable import SwitchyardServing

/// The metrics `/metrics` exports, recorded through a test factory: request and item counts per
/// model version, and loads, evictions and resident bytes per model.
@Suite struct ModelMetricsTests {
    typealias Kit = ModelManagerTestKit

    @Test func requestsLoadsAndEvictionsAreCountedPerModel() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        try repository.add("a", model: TestModels.lookup(rows: 1 << 16))
        try repository.add("b", model: TestModels.lookup(rows: 1 << 16, seed: 3))
        let metrics = TestMetrics()
        let manager = try Kit.manager(repository, residency: .onDemand, budget: "cpu=1.5MiB", metrics: metrics)
        await manager.start()
        // a, b, a, b: every load after the first evicts the other model.
        for (round, name) in ["a", "b", "a", "b"].enumerated() {
            _ = try await manager.infer(Kit.lookupRequest(name, ids: [Int64(round), 7, 9]))
        }
        // An index outside the table fails in the engine: a failed request, no items inferred.
        let failed = await Kit.error { _ = try await manager.infer(Kit.lookupRequest("b", ids: [70_000])) }
        #expect(failed != nil)

        let version = [("model", "b"), ("version", "1")]
        #expect(try metrics.expectCounter(MetricNames.requestSuccess, version).totalValue == 2)
        #expect(try metrics.expectCounter(MetricNames.requestFailure, version).totalValue == 1)
        #expect(try metrics.expectCounter(MetricNames.inferenceCount, version).totalValue == 6)
        #expect(try metrics.expectCounter(MetricNames.modelLoads, [("model", "a")]).totalValue == 2)
        #expect(try metrics.expectCounter(MetricNames.modelLoads, [("model", "b")]).totalValue == 2)
        #expect(try metrics.expectCounter(MetricNames.modelEvictions, [("model", "a")]).totalValue == 2)
        #expect(try metrics.expectCounter(MetricNames.modelEvictions, [("model", "b")]).totalValue == 1)
        #expect(try metrics.expectGauge(MetricNames.modelLoadedBytes, [("model", "a")]).lastValue == 0)
        let residentB = try #require(try metrics.expectGauge(MetricNames.modelLoadedBytes, [("model", "b")]).lastValue)
        #expect(residentB >= Double(1 << 16) * 4 * 4)
        let durations = try metrics.expectRecorder(MetricNames.requestDuration, version).values
        #expect(durations.count >= 2 && durations.allSatisfy { $0 > 0 })
        await manager.shutdown()
    }

    @Test func oneThreadRunsOfATwoThreadInstanceAreCounted() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        // One instance, so it gets both threads (without an instance_group, each thread gets an instance).
        try repository.add("a", model: TestModels.lookup(rows: 1 << 10),
                           config: "instance_group { count: 1, kind: KIND_CPU }")
        let metrics = TestMetrics()
        let manager = try Kit.manager(repository, metrics: metrics, threads: 2)
        await manager.start()
        for round in 0..<12 {
            _ = try await manager.infer(Kit.lookupRequest("a", ids: [Int64(round), 7, 9]))
        }
        let version = [("model", "a"), ("version", "1")]
        #expect(try metrics.expectCounter(MetricNames.executionCount, version).totalValue == 12)
        // The session times both widths in turn on its first runs of a shape (`ThreadChoice`):
        // at least four of the first nine of these twelve take one thread, whatever it then chooses.
        let oneThread = try metrics.expectCounter(MetricNames.oneThreadExecutionCount, version).totalValue
        #expect(oneThread >= 4 && oneThread <= 12, "\(oneThread) of 12 runs on one thread")
        await manager.shutdown()
    }
}
