import Foundation

/// Items handed to the pipeline by code (`Pipeline.post`, `Pipeline.infer`), e.g. the server
/// forwarding requests: frames are numbered 0, 1, 2… in the order the source thread takes them.
final class PostedSource: FrameSource {
    /// One posted item; a request (`Pipeline.infer`) also learns its frame number, or that it
    /// was abandoned because the pipeline stopped before taking it.
    struct Posted: Sendable {
        var values: [String: PipelineValue]
        /// Called on the source thread with the item's frame number, before the frame enters
        /// the pipeline (so its completion can never be missed).
        var numbered: (@Sendable (Int) -> Void)?
        /// Called when the item is dropped without entering the pipeline.
        var abandoned: (@Sendable () -> Void)?
    }

    let stage: String
    private let queue = BoundedQueue<Posted>(capacity: 1, producers: 1)

    init(stage: String) {
        self.stage = stage
    }

    /// Hands one item's values to the source thread, waiting while the pipeline is full (block)
    /// or until the source thread takes it. Returns false when the pipeline is stopped.
    func post(_ values: [String: PipelineValue]) -> Bool {
        queue.push(Posted(values: values))
    }

    /// Queues a request without waiting (async callers must not block); the pipeline's queues
    /// still apply backpressure from the source thread on. Returns false when the pipeline is
    /// stopped or the source finished.
    func submit(_ posted: Posted) -> Bool {
        queue.pushIgnoringCapacity(posted)
    }

    /// No more items will be posted.
    func finish() {
        queue.producerFinished()
    }

    /// Stops waiting posters; requests not yet taken are abandoned.
    func cancel() {
        for posted in queue.cancel() { posted.abandoned?() }
    }

    func frames(skipThrough: Int?, emit: (Int, [String: PipelineValue]) -> Bool) throws(PipelineError) {
        var frame = (skipThrough ?? -1) + 1
        while case .item(let posted) = queue.pop() {
            posted.numbered?(frame)
            guard emit(frame, posted.values) else {
                posted.abandoned?()
                return
            }
            frame += 1
        }
    }
}
