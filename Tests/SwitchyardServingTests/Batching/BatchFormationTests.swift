import Testing
import SwitchyardTensor
@testable import SwitchyardServing

extension BatchingSuites {
    /// The batcher's rule on hand-made queues, with a fake clock.
    @Suite struct BatchFormationTests {
        static let millisecond: UInt64 = 1_000_000

        static func pending(_ ticket: UInt64, items: Int = 1, signature: [[Int]] = [[4]], level: Int = 1,
                            at enqueuedAt: UInt64 = 0, timeout: UInt64 = 0,
                            action: BatchingPolicy.TimeoutAction = .reject) -> PendingRequest {
            PendingRequest(ticket: ticket, id: "\(ticket)", inputs: [:], outputs: [], batchSize: items, signature: signature,
                           priorityLevel: level, timeoutAction: action, timeoutMicroseconds: timeout, enqueuedAt: enqueuedAt,
                           completion: { _ in })
        }

        static func queue(_ requests: [PendingRequest], levels: UInt64 = 0) -> RequestQueue {
            var config = Inference_ModelConfig()
            config.maxBatchSize = 8
            var batching = Inference_ModelDynamicBatching()
            batching.priorityLevels = levels
            batching.defaultPriorityLevel = levels > 0 ? 1 : 0
            config.dynamicBatching = batching
            var queue = RequestQueue(policy: BatchingPolicy(config: config))
            for request in requests { queue.append(request) }
            return queue
        }

        static func formation(limit: Int = 8, preferred: [Int] = [], delayMilliseconds: UInt64 = 0) -> BatchFormation {
            BatchFormation(limit: limit, preferredSizes: preferred, maxQueueDelayNanoseconds: delayMilliseconds * millisecond,
                           merges: true)
        }

        @Test func delayZeroRunsWhateverIsQueued() {
            let decision = Self.formation().decide(Self.queue([Self.pending(1)]), now: 0, draining: false)
            guard case .run(let tickets)? = decision else { Issue.record("waited: \(String(describing: decision))"); return }
            #expect(tickets == [1])
        }

        @Test func aDelayWaitsForTheOldestRequestsDeadlineUnlessTheBatchIsFull() {
            let formation = Self.formation(limit: 4, delayMilliseconds: 10)
            let partial = Self.queue([Self.pending(1, at: 5 * Self.millisecond), Self.pending(2, items: 2)])
            guard case .wait(let until)? = formation.decide(partial, now: 6 * Self.millisecond, draining: false) else {
                Issue.record("did not wait"); return
            }
            #expect(until == 15 * Self.millisecond)
            guard case .run(let due)? = formation.decide(partial, now: 15 * Self.millisecond, draining: false) else {
                Issue.record("did not run at the deadline"); return
            }
            #expect(due == [1, 2])
            guard case .run(let drained)? = formation.decide(partial, now: 6 * Self.millisecond, draining: true) else {
                Issue.record("draining waited"); return
            }
            #expect(drained == [1, 2])
            let full = Self.queue([Self.pending(1, items: 3), Self.pending(2, items: 2), Self.pending(3, items: 1)])
            guard case .run(let tickets)? = formation.decide(full, now: 0, draining: false) else {
                Issue.record("a full batch waited"); return
            }
            // 3 + 2 would exceed 4: the 2-item request is skipped for the 1-item one behind it.
            #expect(tickets == [1, 3])
        }

        @Test func theLargestReachablePreferredSizeRunsAtOnce() {
            let formation = Self.formation(limit: 8, preferred: [2, 4], delayMilliseconds: 100)
            let queue = Self.queue((1...5).map { Self.pending(UInt64($0)) })
            guard case .run(let tickets)? = formation.decide(queue, now: 0, draining: false) else {
                Issue.record("waited with a preferred size reachable"); return
            }
            #expect(tickets == [1, 2, 3, 4])
        }

        @Test func requestsWithOtherShapesRunInOtherBatches() {
            let queue = Self.queue([Self.pending(1, signature: [[4]]), Self.pending(2, signature: [[5]]), Self.pending(3, signature: [[4]])])
            guard case .run(let tickets)? = Self.formation().decide(queue, now: 0, draining: false) else {
                Issue.record("did not run"); return
            }
            #expect(tickets == [1, 3])
        }

        @Test func priorityLevelsComeBeforeArrivalOrderAndDelayedRequestsComeLast() {
            var queue = Self.queue([
                Self.pending(1, level: 2), Self.pending(2, level: 1, timeout: 1, action: .delay), Self.pending(3, level: 1),
                Self.pending(4, level: 2, timeout: 1, action: .reject),
            ], levels: 2)
            #expect(queue.inServiceOrder.map(\.ticket) == [2, 3, 1, 4])
            let rejected = queue.removeExpired(now: 2 * Self.millisecond)
            #expect(rejected.map(\.ticket) == [4])
            #expect(queue.inServiceOrder.map(\.ticket) == [3, 1, 2])
            #expect(queue.count == 3)
            #expect(queue.head?.ticket == 3)
        }

        @Test func queuePoliciesFollowTriton() {
            var policy = Inference_ModelQueuePolicy()
            policy.defaultTimeoutMicroseconds = 500
            #expect(BatchingPolicy.QueuePolicy(policy).timeoutMicroseconds(requested: 100) == 500)
            policy.allowTimeoutOverride = true
            #expect(BatchingPolicy.QueuePolicy(policy).timeoutMicroseconds(requested: 100) == 100)
            #expect(BatchingPolicy.QueuePolicy(policy).timeoutMicroseconds(requested: 900) == 500)
            #expect(BatchingPolicy.QueuePolicy(policy).timeoutMicroseconds(requested: nil) == 500)
            var config = Inference_ModelConfig()
            var batching = Inference_ModelDynamicBatching()
            batching.priorityLevels = 3
            batching.defaultPriorityLevel = 2
            config.dynamicBatching = batching
            let levels = BatchingPolicy(config: config)
            #expect(levels.priorityLevel(requested: nil) == 2)
            #expect(levels.priorityLevel(requested: 0) == 2)
            #expect(levels.priorityLevel(requested: 9) == 2)
            #expect(levels.priorityLevel(requested: 3) == 3)
        }

        @Test func outputsSplitBackByEachRequestsRows() throws {
            let joined = Tensor.concatenatingRows([
                Tensor(shape: [1, 2], scalars: [Float(1), 2]), Tensor(shape: [2, 2], scalars: [Float(3), 4, 5, 6]),
            ])
            #expect(joined.shape == [3, 2])
            #expect(joined.floats() == [1, 2, 3, 4, 5, 6])
            let pieces = try BatchAssembly.split(joined, rows: [1, 2], outputName: "y", modelName: "m")
            #expect(pieces.map(\.shape) == [[1, 2], [2, 2]])
            #expect(pieces[1].floats() == [3, 4, 5, 6])
            let strings = Tensor.concatenatingRows([Tensor(shape: [1], strings: ["a"]), Tensor(shape: [2], strings: ["b", "c"])])
            #expect(try BatchAssembly.split(strings, rows: [2, 1], outputName: "s", modelName: "m").map(\.strings) == [["a", "b"], ["c"]])
            #expect(throws: ServingError.self) {
                try BatchAssembly.split(Tensor(shape: [2], scalars: [Float(1), 2]), rows: [1, 2], outputName: "y", modelName: "m")
            }
        }
    }
}
