/// A model's waiting requests: one FIFO per priority level, then the requests whose timeout
/// passed under a DELAY policy (they run after everything else, as in Triton).
///
/// Service order: level 1 oldest first, then level 2, …, then the delayed ones.
struct RequestQueue: Sendable {
    private var levels: [[PendingRequest]]
    private var delayed: [PendingRequest] = []
    private let policies: [BatchingPolicy.QueuePolicy]

    init(policy: BatchingPolicy) {
        levels = Array(repeating: [], count: policy.priorityLevels)
        policies = policy.queuePolicies
    }

    private(set) var count = 0
    var isEmpty: Bool { count == 0 }

    /// The request the next batch starts with.
    var head: PendingRequest? { levels.first { !$0.isEmpty }?.first ?? delayed.first }

    /// The waiting requests in service order.
    var inServiceOrder: [PendingRequest] { Array(levels.joined()) + delayed }

    /// The size limit of `level`'s queue, when it is full; nil when the request fits.
    func fullLimit(level: Int) -> Int? {
        let limit = policies[level - 1].maxQueueSize
        return limit > 0 && levels[level - 1].count >= limit ? limit : nil
    }

    mutating func append(_ request: PendingRequest) {
        levels[request.priorityLevel - 1].append(request)
        count += 1
    }

    /// Removes the requests with these tickets and returns them in service order.
    mutating func remove(tickets: Set<UInt64>) -> [PendingRequest] {
        var removed: [PendingRequest] = []
        func take(_ list: inout [PendingRequest]) {
            guard list.contains(where: { tickets.contains($0.ticket) }) else { return }
            removed += list.filter { tickets.contains($0.ticket) }
            list.removeAll { tickets.contains($0.ticket) }
        }
        for level in levels.indices { take(&levels[level]) }
        take(&delayed)
        count -= removed.count
        return removed
    }

    /// Handles every request whose timeout passed by `now`: REJECT ones are removed and returned
    /// (the caller fails them), DELAY ones move behind everything else.
    mutating func removeExpired(now: UInt64) -> [PendingRequest] {
        var rejected: [PendingRequest] = []
        for level in levels.indices where levels[level].contains(where: { Self.isExpired($0, now) }) {
            var kept: [PendingRequest] = []
            for request in levels[level] {
                if !Self.isExpired(request, now) {
                    kept.append(request)
                } else if request.timeoutAction == .reject {
                    rejected.append(request)
                } else {
                    delayed.append(request)
                }
            }
            levels[level] = kept
        }
        count -= rejected.count
        return rejected
    }

    /// The earliest timeout still to handle (requests already delayed have none).
    var earliestDeadline: UInt64? { levels.joined().compactMap(\.deadline).min() }

    private static func isExpired(_ request: PendingRequest, _ now: UInt64) -> Bool {
        request.deadline.map { now >= $0 } ?? false
    }
}
