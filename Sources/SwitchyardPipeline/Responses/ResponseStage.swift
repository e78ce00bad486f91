/// A `response` sink stage: one thread hands each item to the request whose frame it belongs to
/// (`PendingResponses`), then counts it out of the frame ledger, which answers the request once
/// the whole frame has left the pipeline.
struct ResponseStage: Sendable {
    let name: String
    let input: BoundedQueue<PipelineItem>
    let ledger: FrameLedger
    let responses: PendingResponses
    let metrics: StageMetrics

    func start(exited: @escaping @Sendable () -> Void) {
        WorkerThreads.start(stage: name, count: 1, body: { _ in run() }, whenAllExited: exited)
    }

    private func run() {
        while case .item(let item) = input.pop() {
            metrics.recordQueueDepth(input.depth)
            metrics.recordItem(failed: item.error != nil)
            responses.add(item)
            metrics.recordEvents(1)
            // After `add`: the frame may complete here, and its request must already hold the item.
            ledger.adjust(source: item.source, frame: item.frame, by: -1)
        }
    }
}
