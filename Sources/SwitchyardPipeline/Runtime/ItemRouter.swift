/// Sends a stage's output items to every stage that consumes it (fan-out), keeping the frame
/// ledger's counts right, and applying a source's overflow policy.
struct ItemRouter: Sendable {
    let stage: String
    let outputs: [BoundedQueue<PipelineItem>]
    let ledger: FrameLedger
    let metrics: StageMetrics

    /// A source's new frame: registered in the ledger, then queued (dropping the oldest queued
    /// item when `policy` is drop-oldest and a queue is full). Returns false when the pipeline
    /// was cancelled.
    func emitFrame(_ item: PipelineItem, policy: OverflowPolicy) -> Bool {
        ledger.begin(source: item.source, frame: item.frame, count: outputs.count)
        var item = item
        item.sentBy = stage
        for queue in outputs {
            switch policy {
            case .block:
                guard queue.push(item) else { return false }
            case .dropOldest:
                if let dropped = queue.pushDroppingOldest(item) {
                    ledger.adjust(source: dropped.source, frame: dropped.frame, by: -1)
                    metrics.recordDrop()
                }
            }
        }
        return true
    }

    /// The items a stage made from `consumed` (none = filtered out), sent to every consumer,
    /// blocking while a consumer's queue is full.
    func forward(_ items: [PipelineItem], replacing consumed: PipelineItem) {
        forward(items, consuming: 1, of: consumed.source, frame: consumed.frame)
    }

    /// The items a stage made from `count` items of one frame (a join merges several into one),
    /// sent to every consumer.
    func forward(_ items: [PipelineItem], consuming count: Int, of source: String, frame: Int) {
        // Count the new items before pushing, so the frame cannot look complete in between.
        ledger.adjust(source: source, frame: frame, by: items.count * outputs.count - count)
        for var item in items {
            item.sentBy = stage
            for queue in outputs {
                if !queue.push(item) { return }
            }
        }
    }

    /// Tells every consumer this stage will send nothing more.
    func finish() {
        for queue in outputs { queue.producerFinished() }
    }
}

extension PipelineItem {
    /// The error event for this item failing in `stage`: big buffers dropped, small values kept
    /// for context.
    func failed(in stage: String, _ message: String) -> PipelineItem {
        var item = self
        item.values = values.filter { _, value in
            switch value {
            case .image, .tensor, .bytes: false
            default: true
            }
        }
        item.values["error"] = .error(message)
        item.stage = stage
        return item
    }
}
