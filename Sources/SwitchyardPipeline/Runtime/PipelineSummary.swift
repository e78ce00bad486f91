/// What a pipeline did: the CLI prints it at the end; `progress()` gives it mid-run.
public struct PipelineSummary: Sendable {
    /// Frames the sources produced (after resume skips), over all sources.
    public var framesIn: Int
    /// Events the sinks wrote (errors included). With several sinks, the first sink's count.
    public var eventsOut: Int
    /// Items that failed in a stage (each became an error event).
    public var errors: Int
    /// Frames `drop-oldest` sources dropped.
    public var dropped: Int
    public var elapsedSeconds: Double
    /// Per stage, in spec order.
    public var stages: [StageSummary]
    /// Items waiting per stage with an input queue, in spec order.
    public var queueDepths: [(stage: String, depth: Int, capacity: Int)]
    /// Problems that are not about one item: a source that could not read, a sink that could not write.
    public var runErrors: [String]
}
