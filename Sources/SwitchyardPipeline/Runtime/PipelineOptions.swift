import CoreMetrics

/// How a `Pipeline` runs, beyond its spec.
public struct PipelineOptions: Sendable {
    /// Continue after the frames the spec's `events` sinks (SQLite) recorded as committed, and
    /// append to their files instead of starting them afresh.
    public var resume: Bool
    /// Replaces the `path:` of the pipeline's (only) images or video source, e.g. `--source`.
    public var sourcePath: String?
    /// Frames to skip per source (everything up to and including the frame), in addition to
    /// what `resume` finds.
    public var skipThrough: [String: Int]
    /// Where the per-stage metrics go; nil records through the global `MetricsSystem` (what the
    /// server bootstraps). Tests pass a factory of their own.
    public var metricsFactory: (any MetricsFactory)?

    public init(resume: Bool = false, sourcePath: String? = nil, skipThrough: [String: Int] = [:],
                metricsFactory: (any MetricsFactory)? = nil) {
        self.resume = resume
        self.sourcePath = sourcePath
        self.skipThrough = skipThrough
        self.metricsFactory = metricsFactory
    }
}
