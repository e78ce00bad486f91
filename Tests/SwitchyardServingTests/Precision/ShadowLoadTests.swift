import Testing
import SwitchyardEngine
import SwitchyardTensor
@testable import SwitchyardServing

extension BatchingSuites {
    /// Shadow work gives way to real requests: a sample taken while requests wait is dropped
    /// and counted, never queued, and the reference never runs while the request queue holds
    /// anything.
    @Suite struct ShadowLoadTests {
        typealias Kit = BatchingTestKit

        @Test func samplesAreDroppedNotQueuedWhileRequestsWait() async throws {
            let model = try Kit.slowModel()
            let reference = ShadowReference(model: try Kit.slowModel(), settings: ShadowSettings(reference: "fp32", sampleRate: 1))
            let config = Kit.config(for: model, name: "slow", maxBatchSize: 0)
            let served = try await ServedModel.load(name: "slow", version: 1, config: config, model: model, threadBudget: 1,
                                                    logger: Kit.logger, shadow: reference)
            let blocker = try await Kit.occupy(served, model: "slow")
            var generator = SplitMix64(seed: 21)
            let requests = (0..<6).map { Kit.request("slow", Kit.slowInput(length: 1, &generator), id: "q\($0)") }
            let all = Task { await Kit.inferConcurrently(served, requests) }
            let queued = await Kit.waitUntil { served.queuedRequests == 6 }
            try #require(queued, "the six requests never queued behind the blocker")
            try #require(served.statistics.success.count == 0, "the blocker finished before the others queued")

            let results = await all.value
            #expect(results.allSatisfy { (try? $0.get()) != nil })
            #expect((try? await blocker.value.get()) != nil)
            // A batch's samples are offered right after its responses are delivered, so the
            // last one may still be on its way when the test's request returns.
            let settled = await Kit.waitUntil {
                guard let shadow = served.statistics.shadow else { return false }
                return shadow.sampled == 7 && shadow.compared + shadow.droppedBusy + shadow.failed == shadow.sampled
            }
            #expect(settled)
            let shadow = try #require(served.statistics.shadow)
            // The blocker and q0…q4 finished with requests still queued: dropped. Only the last
            // finished with the queue empty, and the idle model then ran the reference on it.
            #expect(shadow.sampled == 7)
            #expect(shadow.droppedBusy == 6)
            #expect(shadow.compared == 1 && shadow.failed == 0)
            #expect(shadow.agreement == 1 && shadow.maxAbsoluteError == 0)
            #expect(served.statistics.success.count == 7)
            await served.shutdown()
        }

        @Test func aShadowedModelCountsItsReferenceInItsBytes() async throws {
            let model = try Kit.rowModel()
            let config = Kit.config(for: model, name: "rows", maxBatchSize: 4)
            let plain = try await Kit.serve(model, config)
            let reference = ShadowReference(model: try Kit.rowModel(seed: 8), settings: ShadowSettings(reference: "fp16", sampleRate: 0))
            let shadowed = try await ServedModel.load(name: "rows", version: 1, config: config, model: model, threadBudget: 1,
                                                      logger: Kit.logger, shadow: reference)
            let shadow = try #require(shadowed.statistics.shadow)
            #expect(shadow.referenceBytes >= UInt64(reference.model.weightBytes))
            #expect(shadowed.memoryBytes == plain.memoryBytes + Int(shadow.referenceBytes))
            #expect(plain.statistics.shadow == nil)
            await plain.shutdown()
            await shadowed.shutdown()
        }
    }
}
