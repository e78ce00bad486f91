import Dispatch
import Synchronization

/// The queue of one model version shared by its instance threads: the async side submits
/// requests, each instance thread blocks in `nextBatch` until `BatchFormation` hands it a batch.
///
/// Idle instances wait on their own semaphore. When a submission finds an idle instance and the
/// batch rule says to run now (a delay of 0, a full or preferred batch), `submit` forms that batch
/// itself and hands it straight to the instance, which starts on waking without taking the lock
/// to decide again; otherwise a submission or shutdown signals every waiting instance to look
/// (a stale signal only costs one extra look at the queue).
final class BatchScheduler: Sendable {
    /// What an instance thread does next.
    enum Work {
        /// Run these requests as one batch.
        case batch([PendingRequest])
        /// The model stopped and its queue is empty: exit the thread.
        case stop
    }

    private struct State {
        var queue: RequestQueue
        var formation: BatchFormation
        var accepting = true
        var nextSequence: UInt64 = 0
        /// Instances blocked in `nextBatch`, longest waiting first, with their semaphores.
        var waiting: [(instance: Int, wakeUp: DispatchSemaphore)] = []
        /// Batches `submit` formed for a waiting instance, by instance index; the instance takes
        /// its batch when it wakes.
        var handedOff: [Int: [PendingRequest]] = [:]

        mutating func wakeWaiting() {
            for waiter in waiting { waiter.wakeUp.signal() }
            waiting.removeAll()
        }

        /// After a request was queued: hands each batch the rule wants to run now to the
        /// longest-waiting idle instance; wakes the other idle instances when requests remain
        /// (they decide how long to wait for them). Returns the requests that timed out under
        /// REJECT (removed here, as `nextBatch` would).
        mutating func dispatchToIdle(now: UInt64) -> [PendingRequest] {
            guard !waiting.isEmpty else { return [] }
            let expired = queue.removeExpired(now: now)
            while let idle = waiting.first,
                  case .run(let tickets)? = formation.decide(queue, now: now, draining: !accepting) {
                waiting.removeFirst()
                handedOff[idle.instance] = queue.remove(tickets: Set(tickets))
                idle.wakeUp.signal()
            }
            if !queue.isEmpty { wakeWaiting() }
            return expired
        }
    }

    let modelName: String
    private let state: Mutex<State>
    /// Called (outside the lock) with requests that timed out under REJECT; the scheduler
    /// has removed them.
    private let onExpired: @Sendable ([PendingRequest]) -> Void
    /// Called (outside the lock) with the queue depth after each change.
    private let onDepthChange: @Sendable (Int) -> Void

    init(modelName: String, policy: BatchingPolicy, formation: BatchFormation,
         onExpired: @escaping @Sendable ([PendingRequest]) -> Void,
         onDepthChange: @escaping @Sendable (Int) -> Void) {
        self.modelName = modelName
        state = Mutex(State(queue: RequestQueue(policy: policy), formation: formation))
        self.onExpired = onExpired
        self.onDepthChange = onDepthChange
    }

    /// Changes the batch rule (the load-time profile sets the limit before requests arrive).
    func setFormation(_ formation: BatchFormation) {
        state.withLock { $0.formation = formation }
    }

    /// Queues `request`, giving it the next arrival sequence number. Throws when the model no
    /// longer accepts requests or the request's priority level queue is full.
    func submit(_ request: PendingRequest) throws(ServingError) {
        let now = MonotonicClock.now()
        let (depth, expired) = try state.withLock { state throws(ServingError) -> (Int, [PendingRequest]) in
            guard state.accepting else {
                throw .unavailable("model '\(modelName)' is shutting down and accepts no new requests")
            }
            if let limit = state.queue.fullLimit(level: request.priorityLevel) {
                throw .resourceExhausted("queue of model '\(modelName)' is full (\(limit) requests)")
            }
            var queued = request
            queued.sequence = state.nextSequence
            state.nextSequence += 1
            state.queue.append(queued)
            let expired = state.dispatchToIdle(now: now)
            return (state.queue.count, expired)
        }
        if !expired.isEmpty { onExpired(expired) }
        onDepthChange(depth)
    }

    /// Removes the request with `ticket` if it is still queued (not yet running).
    func withdraw(ticket: UInt64) -> PendingRequest? {
        let (removed, depth) = state.withLock { state in
            (state.queue.remove(tickets: [ticket]).first, state.queue.count)
        }
        if removed != nil { onDepthChange(depth) }
        return removed
    }

    /// Stops accepting requests; queued ones still run (without waiting for the batch delay).
    func stopAccepting() {
        state.withLock { state in
            state.accepting = false
            state.wakeWaiting()
        }
    }

    var queuedCount: Int { state.withLock { $0.queue.count } }
    /// Instances blocked in `nextBatch` waiting for work.
    var idleInstanceCount: Int { state.withLock { $0.waiting.count } }
    var isAccepting: Bool { state.withLock { $0.accepting } }

    /// Blocks the calling instance thread until there is a batch for it or the model stopped.
    func nextBatch(instance: Int, wakeUp: DispatchSemaphore) -> Work {
        while true {
            let now = MonotonicClock.now()
            let (step, expired, depth) = state.withLock { state -> (Step, [PendingRequest], Int) in
                state.waiting.removeAll { $0.instance == instance }
                if let batch = state.handedOff.removeValue(forKey: instance) {
                    return (.run(batch), [], state.queue.count)
                }
                let expired = state.queue.removeExpired(now: now)
                let step: Step
                switch state.formation.decide(state.queue, now: now, draining: !state.accepting) {
                case .run(let tickets)?:
                    step = .run(state.queue.remove(tickets: Set(tickets)))
                case .wait(let until)?:
                    step = .wait(until: min(until, state.queue.earliestDeadline ?? .max))
                case nil where !state.accepting:
                    step = .stop
                case nil:
                    step = .wait(until: .max)
                }
                if case .wait = step { state.waiting.append((instance, wakeUp)) }
                return (step, expired, state.queue.count)
            }
            if !expired.isEmpty { onExpired(expired) }
            switch step {
            case .run(let batch):
                onDepthChange(depth)
                return .batch(batch)
            case .stop:
                return .stop
            case .wait(let until):
                if !expired.isEmpty { onDepthChange(depth) }
                _ = wakeUp.wait(timeout: until == .max ? .distantFuture : MonotonicClock.dispatchTime(until))
            }
        }
    }

    private enum Step {
        case run([PendingRequest])
        case wait(until: UInt64)
        case stop
    }
}
