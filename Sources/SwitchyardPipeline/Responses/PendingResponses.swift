import Synchronization

/// The requests a pipeline is answering (`Pipeline.infer`): each waits for its frame to leave
/// the pipeline, collecting the items that reach the `response` sink meanwhile.
///
/// A request registers when the `api` source numbers its frame, before the frame enters the
/// pipeline; the frame ledger reports the frame complete once every item of it has reached a sink
/// or been filtered out, and the request resumes with its items in region order.
final class PendingResponses: Sendable {
    private struct Key: Hashable {
        var source: String
        var frame: Int
    }

    private struct Waiting {
        var slot: ResponseSlot
        var items: [PipelineItem] = []
    }

    private let waiting = Mutex<[Key: Waiting]>([:])

    /// The request in `slot` is frame `frame` of `source`.
    func register(source: String, frame: Int, _ slot: ResponseSlot) {
        waiting.withLock { $0[Key(source: source, frame: frame)] = Waiting(slot: slot) }
    }

    /// An item reached the response sink; kept when its frame is a request's.
    func add(_ item: PipelineItem) {
        waiting.withLock { waiting in
            let key = Key(source: item.source, frame: item.frame)
            guard waiting[key] != nil else { return }
            waiting[key]!.items.append(item)
        }
    }

    /// Every item of the frame has left the pipeline: its request (if any) gets its items,
    /// ordered by region (arrival order within a region; the sort is stable).
    func complete(source: String, frame: Int) {
        guard let done = waiting.withLock({ $0.removeValue(forKey: Key(source: source, frame: frame)) }) else { return }
        let items = done.items.sorted { ($0.region ?? -1) < ($1.region ?? -1) }
        done.slot.resume(.success(items))
    }

    /// Fails every request still waiting (the pipeline ended without finishing their frames).
    func failAll(_ error: PipelineError) {
        let all = waiting.withLock { waiting -> [Waiting] in
            defer { waiting.removeAll() }
            return Array(waiting.values)
        }
        for entry in all { entry.slot.resume(.failure(error)) }
    }
}

/// One request's continuation, resumed exactly once whichever path (answer, abandonment,
/// shutdown) gets there first.
final class ResponseSlot: Sendable {
    private let continuation: Mutex<CheckedContinuation<Result<[PipelineItem], PipelineError>, Never>?>

    init(_ continuation: CheckedContinuation<Result<[PipelineItem], PipelineError>, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ result: Result<[PipelineItem], PipelineError>) {
        let taken = continuation.withLock { slot in
            defer { slot = nil }
            return slot
        }
        taken?.resume(returning: result)
    }
}
