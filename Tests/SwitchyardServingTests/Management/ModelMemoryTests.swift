import MetricsTestKit
import SwitchyardTensor
import Testing
import SwitchyardTestSupport
@testable import SwitchyardServing

/// What a loaded model counts against the memory budget follows what its instances hold: the
/// arenas of a model whose image size no config names grow with the first large image, and the
/// budget, the statistics and the loaded-bytes gauge see it.
@Suite struct ModelMemoryTests {
    typealias Kit = ModelManagerTestKit

    static func imageRequest(_ model: String, size: Int) -> InferenceRequest {
        var generator = SplitMix64(seed: UInt64(size))
        let x = Tensor(shape: [1, 8, size, size], scalars: (0..<(8 * size * size)).map { _ in Float(generator.next() % 100) / 50 - 1 })
        return InferenceRequest(modelName: model, inputs: [NamedTensor(name: "x", tensor: x)])
    }

    static func bytes(_ manager: ModelManager, _ name: String) async throws -> Int {
        Int(try #require(try await manager.statistics(name: name, version: nil).first).residency.bytes)
    }

    @Test func loadedBytesGrowWithTheImagesTheInstancesRun() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        try repository.add("conv", model: TestModels.convolution())
        let metrics = TestMetrics()
        let manager = try Kit.manager(repository, metrics: metrics)
        await manager.start()
        let loaded = try await Self.bytes(manager, "conv")
        _ = try await manager.infer(Self.imageRequest("conv", size: 256))
        let grown = try await Self.bytes(manager, "conv")
        // A 256² image of 8 channels is 2 MiB of floats; the instance keeps at least its arena.
        #expect(grown >= loaded + (2 << 20), "\(loaded) bytes after loading, \(grown) after a 256² image")
        await manager.recordMemoryGauges()
        #expect(try metrics.expectGauge(MetricNames.modelLoadedBytes, [("model", "conv")]).lastValue == Double(grown))
        await manager.shutdown()
    }

    /// A repository of the convolution and a lookup table of `tableRows` rows (16 bytes each),
    /// served on demand within `budget`.
    static func convolutionAndTable(tableRows: Int, budget: String) throws -> (TestRepository, ModelManager, TestMetrics) {
        let repository = try TestRepository()
        try repository.add("conv", model: TestModels.convolution())
        try repository.add("table", model: TestModels.lookup(rows: tableRows))
        let metrics = TestMetrics()
        let manager = try Kit.manager(repository, residency: .onDemand, budget: budget, metrics: metrics)
        return (repository, manager, metrics)
    }

    @Test func theBudgetCountsWhatAModelGrewTo() async throws {
        // A table of 4 MiB.
        let (repository, manager, metrics) = try Self.convolutionAndTable(tableRows: 1 << 18, budget: "cpu=10MiB")
        defer { repository.remove() }
        await manager.start()
        _ = try await manager.infer(Self.imageRequest("conv", size: 512))
        let grown = try await Self.bytes(manager, "conv")
        // Loaded, the convolution plans a few KiB; a 512² image of 8 channels is 8 MiB.
        #expect(grown > 8 << 20)
        // 8 MiB and more beside the table's 4 do not fit 10: loading the table evicts it.
        _ = try await manager.infer(Kit.lookupRequest("table", ids: [1, 2]))
        #expect(try metrics.expectCounter(MetricNames.modelEvictions, [("model", "conv")]).totalValue == 1)
        await manager.shutdown()
    }

    @Test func aModelThatGrowsPastTheBudgetEvictsAnIdleOne() async throws {
        // A table of 8 MiB.
        let (repository, manager, metrics) = try Self.convolutionAndTable(tableRows: 1 << 19, budget: "cpu=13MiB")
        defer { repository.remove() }
        await manager.start()
        _ = try await manager.infer(Kit.lookupRequest("table", ids: [1, 2]))
        _ = try await manager.infer(Self.imageRequest("conv", size: 16))
        #expect(try await manager.repositoryIndex(readyOnly: true).map(\.name).sorted() == ["conv", "table"])
        // No load follows: the convolution's growth alone must make room. At 360² it keeps two
        // arenas of 4 MiB, and a third buffer once its output is freed: within 13 MiB, but not
        // beside the table's 8.
        _ = try await manager.infer(Self.imageRequest("conv", size: 360))
        let grown = try await Self.bytes(manager, "conv")
        #expect(grown > 6 << 20 && grown <= 13 << 20, "\(grown) bytes")
        var evicted = 0.0
        for _ in 0..<100 where evicted == 0 {
            evicted = (try? metrics.expectCounter(MetricNames.modelEvictions, [("model", "table")]).totalValue).map(Double.init) ?? 0
            if evicted == 0 { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(evicted == 1)
        #expect(try await manager.repositoryIndex(readyOnly: true).map(\.name) == ["conv"])
        await manager.shutdown()
    }
}
