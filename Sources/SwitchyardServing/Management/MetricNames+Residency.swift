/// The metrics the manager records per model (dimension `model`). Triton has no equivalents
/// (its model control is not metered); `docs/metrics.md` lists them beside the others.
extension MetricNames {
    /// Counter: successful loads.
    public static let modelLoads = "switchyard_model_load_count"
    /// Counter: unloads asked for (explicit mode, poll mode removals and reloads).
    public static let modelUnloads = "switchyard_model_unload_count"
    /// Counter: evictions to make room for another model (on-demand residency).
    public static let modelEvictions = "switchyard_model_eviction_count"
    /// Timer: how long a load took (read, optimize, compile, profile).
    public static let modelLoadDuration = "switchyard_model_load_duration"
    /// Gauge: bytes the model holds now (weights + planned arenas); 0 when not loaded.
    public static let modelLoadedBytes = "switchyard_model_loaded_bytes"
}
