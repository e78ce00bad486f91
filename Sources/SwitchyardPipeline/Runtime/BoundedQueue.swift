import Foundation

/// The bounded queue in front of a stage: several producers (fan-in) push, the stage's workers
/// pop. A full queue either blocks the producer (lossless backpressure) or drops its oldest item
/// (live sources). The queue ends when every producer has finished and it is empty.
///
/// Blocking calls are made only from the pipeline's dedicated threads, never from async code.
// @unchecked Sendable: every stored property is read and written only while `condition` is locked.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    enum PopResult {
        case item(Element)
        /// Nothing arrived within the timeout; the queue is still open.
        case timedOut
        /// Every producer finished and the queue is empty (or the queue was cancelled).
        case finished
    }

    let capacity: Int
    private let condition = NSCondition()
    private var items: [Element?] = []
    /// Index of the oldest item in `items` (a ring without wrap-around: compacted when half used).
    private var head = 0
    private var openProducers: Int
    private var cancelled = false
    private var deepest = 0

    init(capacity: Int, producers: Int) {
        precondition(capacity >= 1 && producers >= 0)
        self.capacity = capacity
        self.openProducers = producers
    }

    /// Items waiting now.
    var depth: Int { condition.lock(); defer { condition.unlock() }; return items.count - head }
    /// The most items that ever waited at once.
    var highWater: Int { condition.lock(); defer { condition.unlock() }; return deepest }

    /// Waits for room, then appends. Returns false (and drops `element`) when the queue was cancelled.
    @discardableResult
    func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        append(element)
        return true
    }

    /// Appends without waiting, even past the capacity (which then only bounds `push`). Returns
    /// false when the queue was cancelled or every producer finished. For callers that must
    /// never block (async code) and bound their own numbers, e.g. requests to a served pipeline
    /// (one per HTTP request).
    @discardableResult
    func pushIgnoringCapacity(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if cancelled || openProducers == 0 { return false }
        append(element)
        return true
    }

    /// Appends without waiting; when full, first removes and returns the oldest item.
    func pushDroppingOldest(_ element: Element) -> Element? {
        condition.lock()
        defer { condition.unlock() }
        var dropped: Element?
        if items.count - head >= capacity {
            dropped = items[head]
            items[head] = nil
            head += 1
        }
        append(element)
        return dropped
    }

    /// The oldest item, waiting up to `timeout` seconds (forever when nil).
    func pop(timeout: Double? = nil) -> PopResult {
        condition.lock()
        defer { condition.unlock() }
        let deadline = timeout.map { Date(timeIntervalSinceNow: $0) }
        while items.count == head {
            if cancelled || openProducers == 0 { return .finished }
            if let deadline {
                if !condition.wait(until: deadline) && items.count == head {
                    return cancelled || openProducers == 0 ? .finished : .timedOut
                }
            } else {
                condition.wait()
            }
        }
        let element = items[head]!
        items[head] = nil
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return .item(element)
    }

    /// One producer is done; after the last, consumers drain what is left and then see `.finished`.
    func producerFinished() {
        condition.lock()
        openProducers -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the queue now: waiting producers and consumers return, queued items are abandoned
    /// (returned so the caller can account for them).
    func cancel() -> [Element] {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        let abandoned = items[head...].compactMap { $0 }
        items.removeAll()
        head = 0
        condition.broadcast()
        return abandoned
    }

    private func append(_ element: Element) {
        items.append(element)
        deepest = max(deepest, items.count - head)
        condition.broadcast()
    }
}
