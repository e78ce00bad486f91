import Foundation
import Testing
import SwitchyardTestSupport
@testable import SwitchyardServing

/// The table requests lease ready models from without entering the manager's actor.
@Suite struct ReadyModelTableTests {
    private typealias Kit = ModelManagerTestKit

    @Test func leasesAreCountedPerLoadAndOutliveAWithdrawal() async throws {
        let model = try BatchingTestKit.rowModel()
        let served = try await BatchingTestKit.serve(model, BatchingTestKit.config(for: model, name: "rows", maxBatchSize: 4))
        let reloaded = try await BatchingTestKit.serve(model, BatchingTestKit.config(for: model, name: "rows", maxBatchSize: 4))
        let table = ReadyModelTable()
        #expect(try table.lease(name: "rows", version: nil) == nil, "nothing is published yet")

        var first = LoadedModelVersions(config: served.config, versions: [1: served], fingerprint: ModelFingerprint(configDigest: nil, versions: []),
                                        pinned: false)
        first.generation = 1
        table.publish(first, as: "rows")
        let lease = try #require(try table.lease(name: "rows", version: nil))
        #expect(lease.model === served && lease.generation == 1)
        #expect(table.leaseCount("rows", generation: 1) == 1 && table.usage()["rows"]?.busy == true)
        do {
            _ = try table.lease(name: "rows", version: 7)
            Issue.record("a version that is not loaded was leased")
        } catch {
            #expect(error.kind == .notFound && error.message.contains("no version 7") && error.message.contains("loaded: 1"))
        }

        // A reload publishes generation 2; the request on generation 1 still counts until released.
        var second = first
        second.versions = [1: reloaded]
        second.generation = 2
        table.publish(second, as: "rows")
        #expect(try table.lease(name: "rows", version: 1)?.model === reloaded)
        table.withdraw("rows")
        #expect(try table.lease(name: "rows", version: nil) == nil, "a withdrawn model takes no new lease")
        #expect(table.leaseCount("rows", generation: 1) == 1 && table.leaseCount("rows", generation: 2) == 1)
        table.release(lease)
        #expect(table.leaseCount("rows", generation: 1) == 0 && table.leaseCount("rows", generation: 2) == 1)
        await served.shutdown()
        await reloaded.shutdown()
    }

    @Test func usageOrdersModelsByTheirLastLease() async throws {
        let model = try BatchingTestKit.rowModel()
        let served = try await BatchingTestKit.serve(model, BatchingTestKit.config(for: model, name: "rows", maxBatchSize: 4))
        let table = ReadyModelTable()
        let loaded = LoadedModelVersions(config: served.config, versions: [1: served], fingerprint: ModelFingerprint(configDigest: nil, versions: []),
                                         pinned: false)
        for name in ["a", "b"] { table.publish(loaded, as: name) }
        for name in ["b", "a", "b"] {
            table.release(try #require(try table.lease(name: name, version: nil)))
        }
        let usage = table.usage()
        #expect(try #require(usage["a"]).lastUsed < #require(usage["b"]).lastUsed)
        #expect(usage["a"]?.busy == false && usage["b"]?.busy == false)
        await served.shutdown()
    }

    @Test func anUnloadWaitsForQueuedRequestsAndRefusesNewOnes() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        let affine = TestModels.affine()
        // The queue delay holds the requests (and their leases) while the unload starts.
        try repository.add("a", model: affine, config: "max_batch_size: 8\ndynamic_batching { max_queue_delay_microseconds: 1500000 }\n")
        let manager = try Kit.manager(repository, mode: .explicit, startup: ["a"])
        await manager.start()
        let requests = (0..<3).map { Kit.affineRequest("a", rows: 1, seed: UInt64(10 + $0)) }
        let answers = requests.map { request in Task { try await manager.infer(request) } }
        #expect(await BatchingTestKit.waitUntil { manager.readyModels.leaseCount("a", generation: 1) == 3 })

        let unload = Task { try await manager.unloadModel(name: "a") }
        var draining = false
        for _ in 0..<5_000 where !draining {
            draining = !(await manager.isModelReady(name: "a", version: nil))
            if !draining { try await Task.sleep(for: .milliseconds(1)) }
        }
        #expect(draining, "the unload never started")
        let refused = await Kit.error { _ = try await manager.infer(Kit.affineRequest("a", rows: 1, seed: 99)) }
        #expect(refused?.kind == .unavailable)
        for (request, answer) in zip(requests, answers) {
            // Merged into one batch, the kernel may sum in another order than a lone row's.
            let got = try Kit.values(try await answer.value), expected = try Kit.expected(affine, for: request)
            #expect(got.count == expected.count && zip(got, expected).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) },
                    "got \(got), expected \(expected)")
        }
        try await unload.value
        #expect(manager.readyModels.leaseCount("a", generation: 1) == 0)
        #expect(!(await manager.isModelReady(name: "a", version: nil)))
        await manager.shutdown()
    }
}
