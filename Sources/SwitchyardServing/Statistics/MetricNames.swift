/// Every Prometheus metric Switchyard records, with the Triton metric it stands for, so the
/// documentation can list them side by side. Per-model metrics carry the dimensions
/// `model` and `version`.
///
/// Durations are recorded in microseconds through aggregating `Recorder`s (Prometheus
/// histograms); the server gives them `microsecondBuckets` (swift-prometheus'
/// `PrometheusMetricsFactory.valueHistogramBuckets`, keyed by label).
public enum MetricNames {
    /// Requests that succeeded (`nv_inference_request_success`).
    public static let requestSuccess = "switchyard_inference_request_success"
    /// Requests that failed, including queue rejections and timeouts (`nv_inference_request_failure`).
    public static let requestFailure = "switchyard_inference_request_failure"
    /// Items inferred: a request of batch 4 counts 4 (`nv_inference_count`).
    public static let inferenceCount = "switchyard_inference_count"
    /// Engine runs (batches) (`nv_inference_exec_count`).
    public static let executionCount = "switchyard_inference_exec_count"
    /// Engine runs of an instance with several threads that took one thread, because runs of the
    /// same shapes measured faster that way (Switchyard's own: `SessionOptions.adaptsThreads`).
    public static let oneThreadExecutionCount = "switchyard_inference_exec_one_thread_count"
    /// Time each request waited in the queue, µs (`nv_inference_queue_duration_us`).
    public static let queueDuration = "switchyard_inference_queue_duration_us"
    /// Time assembling each batch's input tensors, µs (`nv_inference_compute_input_duration_us`).
    public static let computeInputDuration = "switchyard_inference_compute_input_duration_us"
    /// Time in the engine per batch, µs (`nv_inference_compute_infer_duration_us`).
    public static let computeInferDuration = "switchyard_inference_compute_infer_duration_us"
    /// Time splitting each batch's outputs per request, µs (`nv_inference_compute_output_duration_us`).
    public static let computeOutputDuration = "switchyard_inference_compute_output_duration_us"
    /// End-to-end time of each request in the server, µs (`nv_inference_request_duration_us`).
    public static let requestDuration = "switchyard_inference_request_duration_us"
    /// Items per engine run (histogram; Triton has no direct equivalent, its batch stats come closest).
    public static let batchSize = "switchyard_batch_size"
    /// Requests waiting in the queue (`nv_inference_pending_request_count`).
    public static let queueDepth = "switchyard_queue_depth"

    /// The duration histograms, for configuring their buckets.
    public static let durations = [queueDuration, computeInputDuration, computeInferDuration,
                                   computeOutputDuration, requestDuration]

    /// Histogram buckets for the µs durations: 50 µs … 10 s.
    public static let microsecondBuckets: [Double] = [
        50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
        1_000_000, 2_500_000, 10_000_000,
    ]

    /// Histogram buckets for `batchSize`.
    public static let batchSizeBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128]
}

extension MetricNames {
    /// Buckets per histogram label, for `PrometheusEndpoint.bootstrapMetricsSystem`.
    public static var histogramBuckets: [String: [Double]] {
        var buckets = Dictionary(uniqueKeysWithValues: durations.map { ($0, microsecondBuckets) })
        buckets[batchSize] = batchSizeBuckets
        return buckets
    }
}
