import Synchronization

/// Keeps events in memory, for tests and for answering an API request with a pipeline's events.
public final class CollectorSink: EventSink {
    private struct State {
        var events: [PipelineEvent] = []
        var completed: [String: Int] = [:]
        var finished = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Every event written so far, in the order written.
    public var events: [PipelineEvent] { state.withLock { $0.events } }
    /// Per source, the last frame whose events are all written.
    public var completedFrames: [String: Int] { state.withLock { $0.completed } }
    /// Whether the run ended.
    public var isFinished: Bool { state.withLock { $0.finished } }

    public func write(_ events: [PipelineEvent], completed: [String: Int]) throws(PipelineError) {
        state.withLock { state in
            state.events.append(contentsOf: events)
            state.completed.merge(completed) { max($0, $1) }
        }
    }

    public func finish() throws(PipelineError) {
        state.withLock { $0.finished = true }
    }
}
