import Testing
import SwitchyardTestSupport
@testable import SwitchyardServing

@Suite struct ModelManagerTests {
    typealias Kit = ModelManagerTestKit

    @Test func servesEveryModelAndReportsABrokenOneWithoutStoppingTheOthers() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        let affine = TestModels.affine()
        try repository.add("affine", model: affine)
        try repository.add("broken", model: affine, config: """
            max_batch_size: 4
            input [ { name: "x" data_type: TYPE_INT64 dims: [ 4 ] } ]
            """)
        let manager = try Kit.manager(repository)
        await manager.start()
        #expect(manager.isReady)

        let request = Kit.affineRequest("affine", rows: 3, seed: 1)
        let response = try await manager.infer(request)
        #expect(response.modelVersion == 1 && response.id == "r1")
        #expect(try Kit.values(response) == Kit.expected(affine, for: request))

        let index = await manager.repositoryIndex(readyOnly: false)
        #expect(index.map(\.name) == ["affine", "broken"])
        #expect(index[0].state == "READY" && index[0].version == "1")
        #expect(index[1].state == "UNAVAILABLE" && index[1].reason.contains("broken/config.pbtxt"))
        let error = await Kit.error { _ = try await manager.infer(Kit.affineRequest("broken", rows: 1, seed: 2)) }
        #expect(error?.kind == .unavailable && error?.message.contains("TYPE_INT64") == true)
        let unknown = await Kit.error { _ = try await manager.infer(Kit.affineRequest("nope", rows: 1, seed: 2)) }
        #expect(unknown?.kind == .notFound)
        await manager.shutdown()
    }

    @Test func metadataAndConfigComeFromTheCompletedConfig() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        try repository.add("affine", model: TestModels.affine())
        let manager = try Kit.manager(repository)
        await manager.start()
        let metadata = try await manager.modelMetadata(name: "affine", version: nil)
        #expect(metadata.versions == ["1"] && metadata.platform == "onnxruntime_onnx")
        #expect(metadata.inputs.map(\.shape) == [[-1, 4]] && metadata.outputs.map(\.datatype) == ["FP32"])
        let config = try await manager.modelConfig(name: "affine", version: 1)
        #expect(config.maxBatchSize == 4)
        let stats = try await manager.statistics(name: "affine", version: nil)
        #expect(stats.count == 1 && stats[0].residency.loadCount == 1 && stats[0].residency.bytes > 0)
        let missing = await Kit.error { _ = try await manager.modelMetadata(name: "affine", version: 7) }
        #expect(missing?.kind == .notFound)
        await manager.shutdown()
    }

    @Test func residentBudgetRefusesAModelThatDoesNotFitAndGivesBothNumbers() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        try repository.add("a", model: TestModels.lookup(rows: 1 << 16))
        try repository.add("b", model: TestModels.lookup(rows: 1 << 16, seed: 3))
        let manager = try Kit.manager(repository, budget: "cpu=1.5MiB")
        await manager.start()
        let index = await manager.repositoryIndex(readyOnly: false)
        #expect(index.map(\.state) == ["READY", "UNAVAILABLE"])
        #expect(index[1].reason.contains("memory budget") && index[1].reason.contains("1.5 MiB"))
        #expect(index[1].reason.contains("needs"))
        await manager.shutdown()
    }

    @Test func onDemandLoadsAtFirstRequestAndEvictsToServeAlternatingModels() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        let a = TestModels.lookup(rows: 1 << 16), b = TestModels.lookup(rows: 1 << 16, seed: 3)
        try repository.add("a", model: a)
        try repository.add("b", model: b)
        let manager = try Kit.manager(repository, residency: .onDemand, budget: "cpu=1.5MiB")
        await manager.start()
        #expect(await manager.repositoryIndex(readyOnly: true).isEmpty)
        for round in 0..<6 {
            let name = round.isMultiple(of: 2) ? "a" : "b"
            let request = Kit.lookupRequest(name, ids: [Int64(round), 5, 65535])
            let response = try await manager.infer(request)
            #expect(try Kit.values(response) == Kit.expected(name == "a" ? a : b, for: request))
        }
        let ready = await manager.repositoryIndex(readyOnly: true)
        #expect(ready.map(\.name) == ["b"])
        let stats = try await manager.statistics(name: "b", version: nil)
        #expect(stats.first?.residency.evictionCount == 2 && stats.first?.residency.loadCount == 3)
        await manager.shutdown()
    }

    @Test func aRequestWaitsForAnOnDemandLoadNoLongerThanItsTimeout() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        try repository.add("big", model: TestModels.lookup(rows: 2 << 20))
        let manager = try Kit.manager(repository, residency: .onDemand)
        await manager.start()
        var hurried = Kit.lookupRequest("big", ids: [3])
        hurried.timeoutMicroseconds = 1
        let error = await Kit.error { _ = try await manager.infer(hurried) }
        #expect(error?.kind == .deadlineExceeded && error?.message.contains("still loading") == true)
        let patient = try await manager.infer(Kit.lookupRequest("big", ids: [3]))
        #expect(patient.outputs.first?.tensor.shape == [1, 4])
        await manager.shutdown()
    }

    @Test func pinnedModelsAreNeverEvicted() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        try repository.add("pinned", model: TestModels.lookup(rows: 1 << 16), config: """
            parameters { key: "pinned" value { string_value: "true" } }
            """)
        try repository.add("b", model: TestModels.lookup(rows: 1 << 16, seed: 3))
        try repository.add("c", model: TestModels.lookup(rows: 1 << 16, seed: 5))
        let manager = try Kit.manager(repository, residency: .onDemand, budget: "cpu=2.5MiB")
        await manager.start()
        for name in ["pinned", "b", "c", "b", "c"] {
            _ = try await manager.infer(Kit.lookupRequest(name, ids: [1, 2]))
            #expect(await manager.isModelReady(name: "pinned", version: nil))
        }
        await manager.shutdown()
    }

    @Test func explicitModeLoadsAndUnloadsOnRequest() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        try repository.add("a", model: TestModels.affine())
        try repository.add("b", model: TestModels.affine(seed: 9))
        let manager = try Kit.manager(repository, mode: .explicit, startup: ["a"])
        await manager.start()
        #expect(await manager.isModelReady(name: "a", version: nil))
        let notLoaded = await Kit.error { _ = try await manager.infer(Kit.affineRequest("b", rows: 1, seed: 1)) }
        #expect(notLoaded?.kind == .unavailable)
        try await manager.loadModel(name: "b")
        _ = try await manager.infer(Kit.affineRequest("b", rows: 2, seed: 1))
        try await manager.unloadModel(name: "a")
        #expect(!(await manager.isModelReady(name: "a", version: nil)))
        let unknown = await Kit.error { try await manager.loadModel(name: "nope") }
        #expect(unknown?.kind == .notFound)
        await manager.shutdown()
    }

    @Test func loadAndUnloadAreRefusedOutsideExplicitMode() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        try repository.add("a", model: TestModels.affine())
        let manager = try Kit.manager(repository)
        await manager.start()
        let error = await Kit.error { try await manager.unloadModel(name: "a") }
        #expect(error?.message.contains("--model-control-mode explicit") == true)
        #expect(await manager.isModelReady(name: "a", version: 1))
        await manager.shutdown()
    }

    @Test func pollModeServesANewVersionAndRetiresTheOld() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        let first = TestModels.affine(seed: 1), second = TestModels.affine(seed: 2)
        try repository.add("affine", model: first)
        let manager = try Kit.manager(repository, mode: .poll)
        await manager.start()
        let request = Kit.affineRequest("affine", rows: 2, seed: 4)
        #expect(try Kit.values(try await manager.infer(request)) == Kit.expected(first, for: request))

        try repository.add("affine", version: 2, model: second)
        await manager.pollRepository()
        let response = try await manager.infer(request)
        #expect(response.modelVersion == 2)
        #expect(try Kit.values(response) == Kit.expected(second, for: request))
        #expect(!(await manager.isModelReady(name: "affine", version: 1)))

        try repository.add("added", model: first)
        await manager.pollRepository()
        _ = try await manager.infer(Kit.affineRequest("added", rows: 1, seed: 5))
        await manager.shutdown()
    }

    @Test func shutdownRefusesNewRequests() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        try repository.add("a", model: TestModels.affine())
        let manager = try Kit.manager(repository)
        await manager.start()
        await manager.shutdown()
        #expect(!manager.isReady && manager.isLive)
        let error = await Kit.error { _ = try await manager.infer(Kit.affineRequest("a", rows: 1, seed: 1)) }
        #expect(error?.kind == .unavailable)
    }
}
