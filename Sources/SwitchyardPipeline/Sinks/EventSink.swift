/// Where a sink stage writes events. The runtime calls it from the sink's one dedicated thread,
/// with the events of a source in frame order.
public protocol EventSink: AnyObject, Sendable {
    /// Writes `events` (possibly none) and records that every frame up to `completed[source]` is
    /// fully written: all of its events are in this call or an earlier one. Durable sinks make
    /// both visible atomically (one transaction), so a resumed run can continue after them.
    func write(_ events: [PipelineEvent], completed: [String: Int]) throws(PipelineError)
    /// Called once at the end of the run (flush, close).
    func finish() throws(PipelineError)
}
