/// The CPU work of a `processor` stage: takes one item, returns 0…n items (0 = filtered out,
/// several = fan-out, e.g. one per detected region).
///
/// Threading: the runtime makes one processor per stage and calls `process` from the stage's
/// `workers:` dedicated threads, concurrently when there are several, never from Swift's
/// cooperative pool. Keep per-call state local; blocking is allowed (it is the stage's thread).
///
/// Errors: throw a `PipelineError` saying what was wrong with this item; the runtime turns it
/// into an error event for the item and the pipeline goes on with the next one.
public protocol PipelineProcessor: Sendable {
    func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem]
}

/// A processor made from a closure, for small in-code processors (tests, glue).
public struct ClosureProcessor: PipelineProcessor {
    private let body: @Sendable (PipelineItem) throws(PipelineError) -> [PipelineItem]

    public init(_ body: @escaping @Sendable (PipelineItem) throws(PipelineError) -> [PipelineItem]) {
        self.body = body
    }

    public func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem] {
        try body(item)
    }
}
