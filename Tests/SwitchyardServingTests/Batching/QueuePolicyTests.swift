import Foundation
import Synchronization
import Testing
import SwitchyardEngine
import SwitchyardTensor
@testable import SwitchyardServing

extension BatchingSuites {
    /// Queue limits, timeouts, priorities and ordering, on one instance kept busy by a long request.
    @Suite struct QueuePolicyTests {
        typealias Kit = BatchingTestKit

        static func policy(maxQueueSize: UInt32 = 0, timeoutAction: Inference_ModelQueuePolicy.TimeoutAction = .reject,
                           defaultTimeout: UInt64 = 0, allowOverride: Bool = true) -> Inference_ModelQueuePolicy {
            var policy = Inference_ModelQueuePolicy()
            policy.maxQueueSize = maxQueueSize
            policy.timeoutAction = timeoutAction
            policy.defaultTimeoutMicroseconds = defaultTimeout
            policy.allowTimeoutOverride = allowOverride
            return policy
        }

        @Test func aFullQueueRejectsOnlyTheOverflow() async throws {
            let model = try Kit.slowModel()
            let served = try await Kit.serve(model, Kit.config(for: model, name: "slow", maxBatchSize: 0,
                                                         batching: Kit.batching(queuePolicy: Self.policy(maxQueueSize: 2))))
            let blocker = try await Kit.occupy(served, model: "slow")
            var generator = SplitMix64(seed: 2)
            let requests = (0..<6).map { Kit.request("slow", Kit.slowInput(length: 1, &generator), id: "q\($0)") }
            let results = await Kit.inferConcurrently(served, requests)
            let blocked = await blocker.value
            #expect((try? blocked.get()) != nil)
            let rejected = results.compactMap { result -> ServingError? in
                if case .failure(let error) = result { error } else { nil }
            }
            #expect(results.filter { (try? $0.get()) != nil }.count == 2)
            #expect(rejected.count == 4)
            for error in rejected {
                #expect(error.kind == .resourceExhausted)
                #expect(error.message == "queue of model 'slow' is full (2 requests)")
            }
            // The queue has room again.
            #expect((try? await served.infer(requests[0])) != nil)
            await served.shutdown()
        }

        @Test func aRequestThatTimesOutInTheQueueIsRejectedWhileOthersRun() async throws {
            let model = try Kit.slowModel()
            let served = try await Kit.serve(model, Kit.config(for: model, name: "slow", maxBatchSize: 0,
                                                         batching: Kit.batching(queuePolicy: Self.policy())))
            let blocker = try await Kit.occupy(served, model: "slow")
            var generator = SplitMix64(seed: 3)
            let patientRequest = Kit.request("slow", Kit.slowInput(length: 1, &generator), id: "patient")
            let patient = Task { try? await served.infer(patientRequest) }
            let start = secondsNow()
            var failure: ServingError?
            do throws(ServingError) {
                _ = try await served.infer(Kit.request("slow", Kit.slowInput(length: 1, &generator), id: "hasty", timeout: 20_000))
            } catch {
                failure = error
            }
            let waited = secondsNow() - start
            #expect(failure?.kind == .deadlineExceeded)
            #expect(failure?.message.contains("20000 µs") == true)
            #expect(failure?.message.contains("'hasty'") == true)
            // Rejected at its timeout, not when the instance came free.
            #expect(served.pendingRequests >= 1, "the blocker finished before the timeout fired (\(waited) s)")
            #expect((try? await blocker.value.get()) != nil)
            #expect(await patient.value != nil)
            #expect(served.statistics.fail.count == 1)
            await served.shutdown()
        }

        @Test func aDelayedRequestStillRunsAfterItsTimeout() async throws {
            let model = try Kit.slowModel()
            let served = try await Kit.serve(model, Kit.config(for: model, name: "slow", maxBatchSize: 0,
                                                         batching: Kit.batching(queuePolicy: Self.policy(timeoutAction: .delay))))
            let blocker = try await Kit.occupy(served, model: "slow")
            var generator = SplitMix64(seed: 4)
            let response = try await served.infer(Kit.request("slow", Kit.slowInput(length: 1, &generator), id: "late", timeout: 1_000))
            #expect(response.id == "late")
            #expect((try? await blocker.value.get()) != nil)
            await served.shutdown()
        }

        /// Records the order in which requests finished.
        final class Completions: Sendable {
            let order = Mutex<[String]>([])
            func append(_ id: String) { order.withLock { $0.append(id) } }
        }

        @Test func higherPriorityRequestsRunFirst() async throws {
            let model = try Kit.slowModel()
            let served = try await Kit.serve(model, Kit.config(for: model, name: "slow", maxBatchSize: 0,
                                                               batching: Kit.batching(priorityLevels: 2, defaultPriority: 2)))
            let blocker = try await Kit.occupy(served, model: "slow")
            var generator = SplitMix64(seed: 5)
            let completions = Completions()
            // Low (default) and high priority interleaved, all queued behind the blocker. Each
            // takes a while to run, so the order the callers see is the order they ran in.
            let requests = (0..<6).map { index in
                Kit.request("slow", Kit.slowInput(length: 50, &generator), id: index % 2 == 1 ? "high\(index)" : "low\(index)",
                            priority: index % 2 == 1 ? 1 : nil)
            }
            let tasks = requests.map { request in
                Task { if let response = try? await served.infer(request) { completions.append(response.id) } }
            }
            try #require(await Kit.waitUntil { served.queuedRequests == 6 })
            #expect(served.pendingRequests == 7, "the blocker finished before the requests were queued")
            for task in tasks { await task.value }
            _ = await blocker.value
            let order = completions.order.withLock { $0 }
            #expect(order.count == 6)
            let lastHigh = try #require(order.lastIndex { $0.hasPrefix("high") })
            let firstLow = try #require(order.firstIndex { $0.hasPrefix("low") })
            #expect(lastHigh < firstLow, "completion order \(order)")
            await served.shutdown()
        }

        /// A long request then a short one on two instances: the short one finishes first unless
        /// `preserve_ordering` holds it back until the long one is answered.
        static func shortRequestLatency(preserveOrdering: Bool) async throws -> (short: Double, long: Double) {
            let model = try Kit.slowModel()
            let served = try await Kit.serve(model, Kit.config(for: model, name: "slow", maxBatchSize: 0,
                                                         batching: Kit.batching(preserveOrdering: preserveOrdering), instances: 2),
                                       threads: 2)
            var generator = SplitMix64(seed: 6)
            let shortRequest = Kit.request("slow", Kit.slowInput(length: 1, &generator), id: "short")
            let blocker = try await Kit.occupy(served, model: "slow")
            let start = secondsNow()
            _ = try await served.infer(shortRequest)
            let short = secondsNow() - start
            _ = await blocker.value
            let long = secondsNow() - start
            await served.shutdown()
            return (short, long)
        }

        @Test func preserveOrderingAnswersInArrivalOrder() async throws {
            let free = try await Self.shortRequestLatency(preserveOrdering: false)
            #expect(free.short < free.long * 0.5, "control: the short request should overtake (\(free))")
            let ordered = try await Self.shortRequestLatency(preserveOrdering: true)
            #expect(ordered.short >= ordered.long * 0.8, "the short request was answered before the long one (\(ordered))")
        }
    }
}
