import Synchronization

/// Memory plans by input-shape signature, least recently used evicted first. Shared by every
/// session of a model; safe to use from several threads.
final class MemoryPlanCache: Sendable {
    /// Concrete input shapes, by input name.
    typealias Signature = [String: [Int]]

    private struct State {
        var plans: [Signature: MemoryPlan] = [:]
        /// Least recently used first.
        var order: [Signature] = []
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 8) {
        precondition(capacity > 0, "a plan cache needs room for one plan")
        self.capacity = capacity
    }

    /// The cached plan for `signature`, or the one `make` builds (then cached).
    func plan(for signature: Signature, make: () throws -> MemoryPlan) rethrows -> MemoryPlan {
        if let cached = state.withLock({ state -> MemoryPlan? in
            guard let plan = state.plans[signature] else { return nil }
            state.order.removeAll { $0 == signature }
            state.order.append(signature)
            return plan
        }) {
            return cached
        }
        // Built outside the lock: two threads may build the same plan once each, which is harmless.
        let plan = try make()
        state.withLock { state in
            if state.plans.updateValue(plan, forKey: signature) == nil { state.order.append(signature) }
            while state.order.count > capacity {
                state.plans[state.order.removeFirst()] = nil
            }
        }
        return plan
    }

    /// Signatures currently cached, least recently used first.
    var signatures: [Signature] { state.withLock { $0.order } }
}
