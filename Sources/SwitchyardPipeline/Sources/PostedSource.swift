import Foundation

/// Items handed to the pipeline by code (`Pipeline.post`), e.g. the server forwarding requests:
/// frames are numbered 0, 1, 2… in posting order.
final class PostedSource: FrameSource {
    let stage: String
    private let queue = BoundedQueue<[String: PipelineValue]>(capacity: 1, producers: 1)

    init(stage: String) {
        self.stage = stage
    }

    /// Hands one item's values to the source thread, waiting while the pipeline is full (block)
    /// or until the source thread takes it. Returns false when the pipeline is stopped.
    func post(_ values: [String: PipelineValue]) -> Bool {
        queue.push(values)
    }

    /// No more items will be posted.
    func finish() {
        queue.producerFinished()
    }

    /// Stops waiting posters.
    func cancel() {
        _ = queue.cancel()
    }

    func frames(skipThrough: Int?, emit: (Int, [String: PipelineValue]) -> Bool) throws(PipelineError) {
        var frame = (skipThrough ?? -1) + 1
        while case .item(let values) = queue.pop() {
            guard emit(frame, values) else { return }
            frame += 1
        }
    }
}
