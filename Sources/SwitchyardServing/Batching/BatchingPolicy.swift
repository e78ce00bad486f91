/// How one model version's queue behaves, read once from its (completed) configuration:
/// Triton's `max_batch_size` and `dynamic_batching` fields with Triton's defaults.
struct BatchingPolicy: Sendable {
    /// What happens to a request still queued when its timeout passes.
    enum TimeoutAction: Sendable, Equatable {
        /// It fails with `.deadlineExceeded`.
        case reject
        /// It may still run, after every request that has not timed out.
        case delay
    }

    /// The queue rules of one priority level (`ModelQueuePolicy`).
    struct QueuePolicy: Sendable, Equatable {
        var timeoutAction: TimeoutAction = .reject
        /// 0 = requests never time out unless they override it.
        var defaultTimeoutMicroseconds: UInt64 = 0
        var allowTimeoutOverride = false
        /// 0 = unbounded.
        var maxQueueSize: Int = 0

        init() {}

        init(_ policy: Inference_ModelQueuePolicy) {
            timeoutAction = policy.timeoutAction == .delay ? .delay : .reject
            defaultTimeoutMicroseconds = policy.defaultTimeoutMicroseconds
            allowTimeoutOverride = policy.allowTimeoutOverride
            maxQueueSize = Int(policy.maxQueueSize)
        }

        /// The timeout a request gets: its own when the policy allows overriding (never longer
        /// than a non-zero default, as Triton documents), the default otherwise. 0 = none.
        func timeoutMicroseconds(requested: UInt64?) -> UInt64 {
            guard allowTimeoutOverride, let requested, requested > 0 else { return defaultTimeoutMicroseconds }
            return defaultTimeoutMicroseconds == 0 ? requested : min(requested, defaultTimeoutMicroseconds)
        }
    }

    /// 0 = the model takes no batch dimension: every request runs alone, shapes as declared.
    var maxBatchSize: Int
    /// False when the config has no `dynamic_batching`: requests queue but never merge.
    var dynamicBatching: Bool
    /// `preferred_batch_size`, ascending; empty = none configured.
    var preferredBatchSizes: [Int]
    var maxQueueDelayNanoseconds: UInt64
    var preserveOrdering: Bool
    /// Number of priority levels (≥ 1; the config's 0 means one level).
    var priorityLevels: Int
    /// 1-based level of requests that name none (or an invalid one, as Triton does).
    var defaultPriorityLevel: Int
    /// Per level, index 0 = level 1.
    var queuePolicies: [QueuePolicy]

    init(config: Inference_ModelConfig) {
        maxBatchSize = max(0, Int(config.maxBatchSize))
        guard case .dynamicBatching(let batching)? = config.schedulingChoice else {
            dynamicBatching = false
            preferredBatchSizes = []
            maxQueueDelayNanoseconds = 0
            preserveOrdering = false
            priorityLevels = 1
            defaultPriorityLevel = 1
            queuePolicies = [QueuePolicy()]
            return
        }
        dynamicBatching = maxBatchSize > 0
        preferredBatchSizes = Array(Set(batching.preferredBatchSize.map(Int.init).filter { $0 > 0 })).sorted()
        let (delay, overflow) = batching.maxQueueDelayMicroseconds.multipliedReportingOverflow(by: 1000)
        maxQueueDelayNanoseconds = overflow ? .max : delay
        preserveOrdering = batching.preserveOrdering
        priorityLevels = Int(clamping: max(1, min(batching.priorityLevels, 1 << 16)))
        let requestedDefault = Int(clamping: batching.defaultPriorityLevel)
        defaultPriorityLevel = (1...priorityLevels).contains(requestedDefault) ? requestedDefault : 1
        let fallback = QueuePolicy(batching.defaultQueuePolicy)
        queuePolicies = (1...priorityLevels).map { level in
            batching.priorityQueuePolicy[UInt64(level)].map(QueuePolicy.init) ?? fallback
        }
    }

    /// The 1-based level a request runs at: its own when valid, else the default (Triton's rule).
    func priorityLevel(requested: UInt64?) -> Int {
        guard let requested, requested >= 1, requested <= UInt64(priorityLevels) else { return defaultPriorityLevel }
        return Int(requested)
    }

    /// Whether queued requests may be merged into one engine call.
    var mergesRequests: Bool { dynamicBatching && maxBatchSize > 1 }
}
