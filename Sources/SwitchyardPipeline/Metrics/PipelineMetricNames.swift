/// The swift-metrics a running pipeline records per stage, with dimensions `pipeline` and
/// `stage`; inside `switchyard serve` they appear on `/metrics`.
public enum PipelineMetricNames {
    /// Time a stage spends on one item (process, model request, or sink write), in seconds.
    public static let stageLatency = "switchyard_pipeline_stage_latency_seconds"
    /// Items waiting in the stage's input queue.
    public static let queueDepth = "switchyard_pipeline_queue_depth"
    /// Items a `drop-oldest` source dropped because the queue it feeds was full.
    public static let dropped = "switchyard_pipeline_dropped_total"
    /// Items the stage took in (sources: items produced).
    public static let items = "switchyard_pipeline_items_total"
}
