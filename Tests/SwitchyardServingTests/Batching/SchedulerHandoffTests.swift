import Dispatch
import Foundation
import Synchronization
import Testing
@testable import SwitchyardServing

extension BatchingSuites {
    /// The scheduler handing batches to idle instance threads: a submission that the rule lets
    /// run goes straight to an idle instance; one that must wait (a delay, a batch not yet full)
    /// stays queued until the rule says run.
    @Suite struct SchedulerHandoffTests {
        typealias Formation = BatchFormationTests

        /// A stand-in instance thread: takes batches from `scheduler` until it stops, recording
        /// each batch's tickets in order.
        final class FakeInstance: Sendable {
            let batches = Mutex<[[UInt64]]>([])
            private let exited = DispatchSemaphore(value: 0)

            init(_ scheduler: BatchScheduler, index: Int) {
                let wakeUp = DispatchSemaphore(value: 0)
                let thread = Thread { [self] in
                    while case .batch(let batch) = scheduler.nextBatch(instance: index, wakeUp: wakeUp) {
                        batches.withLock { $0.append(batch.map(\.ticket)) }
                    }
                    exited.signal()
                }
                thread.name = "fake instance \(index)"
                thread.start()
            }

            var taken: [[UInt64]] { batches.withLock { $0 } }

            /// Blocks until the thread returned from `nextBatch` with `.stop`, at most 30 s.
            func waitForExit() -> Bool { exited.wait(timeout: .now() + 30) == .success }
        }

        static func scheduler(limit: Int = 4, preferred: [Int] = [], delayMilliseconds: UInt64 = 0) -> BatchScheduler {
            var config = Inference_ModelConfig()
            config.maxBatchSize = Int32(limit)
            config.dynamicBatching = Inference_ModelDynamicBatching()
            return BatchScheduler(modelName: "handoff", policy: BatchingPolicy(config: config),
                                  formation: Formation.formation(limit: limit, preferred: preferred, delayMilliseconds: delayMilliseconds),
                                  onExpired: { _ in }, onDepthChange: { _ in })
        }

        /// Polls `condition` for up to 30 s (the instance threads run on their own).
        static func eventually(_ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(30)
            while !condition() {
                if Date() > deadline { return false }
                usleep(1_000)
            }
            return true
        }

        @Test func aSubmissionToAnIdleInstanceRunsAloneAtOnceWithDelayZero() throws {
            let scheduler = Self.scheduler()
            let instance = FakeInstance(scheduler, index: 0)
            try #require(Self.eventually { scheduler.idleInstanceCount == 1 })
            for ticket in UInt64(1)...3 {
                try scheduler.submit(Formation.pending(ticket, at: MonotonicClock.now()))
                try #require(Self.eventually { instance.taken.count == Int(ticket) }, "request \(ticket) was never run")
                try #require(Self.eventually { scheduler.idleInstanceCount == 1 })
            }
            #expect(instance.taken == [[1], [2], [3]])
            #expect(scheduler.queuedCount == 0)
            scheduler.stopAccepting()
            #expect(instance.waitForExit())
        }

        @Test func aDelayedBatchWaitsUntilItIsFullThenGoesStraightToTheIdleInstance() throws {
            // A 60 s delay: only a full batch (3 items) may run before it passes.
            let scheduler = Self.scheduler(limit: 3, delayMilliseconds: 60_000)
            let instance = FakeInstance(scheduler, index: 0)
            try #require(Self.eventually { scheduler.idleInstanceCount == 1 })
            try scheduler.submit(Formation.pending(1, at: MonotonicClock.now()))
            try scheduler.submit(Formation.pending(2, items: 1, signature: [[5]], at: MonotonicClock.now()))
            try scheduler.submit(Formation.pending(3, at: MonotonicClock.now()))
            // The instance looked again after each submission and went back to waiting.
            try #require(Self.eventually { scheduler.idleInstanceCount == 1 })
            #expect(instance.taken.isEmpty, "a batch ran before it was full or its delay passed")
            #expect(scheduler.queuedCount == 3)
            try scheduler.submit(Formation.pending(4, items: 1, at: MonotonicClock.now()))
            try #require(Self.eventually { instance.taken.count == 1 })
            // Same shape as the head only: the request of another shape stays queued.
            #expect(instance.taken == [[1, 3, 4]])
            #expect(scheduler.queuedCount == 1)
            // Draining runs what is left without waiting for the delay.
            scheduler.stopAccepting()
            #expect(instance.waitForExit())
            #expect(instance.taken == [[1, 3, 4], [2]])
        }

        @Test func eachIdleInstanceGetsItsOwnBatch() throws {
            let scheduler = Self.scheduler(limit: 2)
            let instances = [FakeInstance(scheduler, index: 0), FakeInstance(scheduler, index: 1)]
            try #require(Self.eventually { scheduler.idleInstanceCount == 2 })
            var submitted: [UInt64] = []
            for ticket in UInt64(1)...40 {
                // Alternating shapes, two of each in a row: batches hold 1 or 2 requests.
                let shape = [[Int(ticket / 2 % 2) + 4]]
                try scheduler.submit(Formation.pending(ticket, signature: shape, at: MonotonicClock.now()))
                submitted.append(ticket)
            }
            scheduler.stopAccepting()
            #expect(instances.allSatisfy { $0.waitForExit() })
            let batches = instances.flatMap(\.taken)
            #expect(batches.flatMap { $0 }.sorted() == submitted, "a request was lost or run twice")
            #expect(batches.allSatisfy { $0.count <= 2 })
            #expect(scheduler.queuedCount == 0)
        }
    }
}
