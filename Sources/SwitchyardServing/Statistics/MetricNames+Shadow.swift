/// Shadow evaluation metrics (dimensions `model`, `version` and `reference`, the reference
/// variant). Triton has no equivalents; `docs/metrics.md` lists them beside the others.
extension MetricNames {
    /// Counter: requests sampled for shadow evaluation.
    public static let shadowSampled = "switchyard_shadow_sampled_count"
    /// Counter: samples the reference ran on and compared.
    public static let shadowCompared = "switchyard_shadow_compared_count"
    /// Counter: samples dropped because requests were waiting or the shadow queue was full.
    public static let shadowDroppedBusy = "switchyard_shadow_dropped_busy_count"
    /// Counter: samples the reference could not run or compare.
    public static let shadowFailed = "switchyard_shadow_failed_count"
    /// Gauge: fraction (0…1) of compared rows (argmax) or elements (tolerance) that agree, so far.
    public static let shadowAgreement = "switchyard_shadow_agreement_ratio"
    /// Gauge: largest absolute difference seen so far.
    public static let shadowMaxAbsoluteError = "switchyard_shadow_max_abs_error"
    /// Gauge: mean absolute difference over every compared element so far.
    public static let shadowMeanAbsoluteError = "switchyard_shadow_mean_abs_error"
}
