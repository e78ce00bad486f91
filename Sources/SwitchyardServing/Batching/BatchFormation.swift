/// The dynamic batcher's rule, asked by an idle instance: which queued requests to run now, or
/// how long to wait for more. Pure: the scheduler owns the queue and the clock.
///
/// The batch starts with the head of the queue (highest priority, oldest) and takes the next
/// requests in service order whose shapes (without the batch dimension) equal the head's and
/// whose items still fit under `limit`. It runs at once when it is full or when a prefix of it
/// reaches a preferred size (the largest such prefix runs); otherwise at once when the delay
/// is 0 or the oldest request has waited the delay, or when the model is draining. So an idle
/// instance never waits when the delay is 0 (Triton #3624).
struct BatchFormation: Sendable {
    enum Decision {
        /// Take these requests (in service order) and run them as one batch.
        case run([UInt64])
        /// Wait for more requests until this monotonic time.
        case wait(until: UInt64)
    }

    /// Most items one batch may hold: `max_batch_size`, lowered by the load-time profile.
    var limit: Int
    /// Sizes at which a batch runs without waiting (ascending, each ≤ limit).
    var preferredSizes: [Int]
    var maxQueueDelayNanoseconds: UInt64
    /// False: every request runs alone.
    var merges: Bool

    /// Nil when the queue is empty.
    func decide(_ queue: RequestQueue, now: UInt64, draining: Bool) -> Decision? {
        guard let head = queue.head else { return nil }
        guard merges else { return .run([head.ticket]) }
        var tickets = [head.ticket]
        var total = head.batchSize
        var preferredPrefix: (count: Int, size: Int)? = preferredSizes.contains(total) ? (1, total) : nil
        for request in queue.inServiceOrder.dropFirst() where total < limit {
            guard request.signature == head.signature, total + request.batchSize <= limit else { continue }
            tickets.append(request.ticket)
            total += request.batchSize
            if preferredSizes.contains(total) { preferredPrefix = (tickets.count, total) }
        }
        if total >= limit { return .run(tickets) }
        if let preferredPrefix { return .run(Array(tickets.prefix(preferredPrefix.count))) }
        let (due, overflow) = head.enqueuedAt.addingReportingOverflow(maxQueueDelayNanoseconds)
        if maxQueueDelayNanoseconds == 0 || draining || (!overflow && now >= due) { return .run(tickets) }
        return .wait(until: overflow ? .max : due)
    }
}
