/// Absolute error of one output of the candidate against the reference, over every sample.
public struct OutputError: Sendable, Codable, Equatable {
    public var name: String
    public var maxAbsoluteError: Double
    public var meanAbsoluteError: Double
}

/// What validation measured for one model.
public struct ModelEvaluation: Sendable, Codable {
    public var path: String
    /// Size of the model file.
    public var fileBytes: Int
    /// Bytes of the engine's weights after optimization.
    public var weightBytes: Int
    /// Bytes of the weights reordered into oneDNN's layouts (0 where no oneDNN kernel runs).
    public var packedWeightBytes: Int
    /// Bytes of the activations of one sample: the planned arena, or what the session kept
    /// between runs when that is more.
    public var arenaBytes: Int
    /// `weightBytes + packedWeightBytes + arenaBytes`: what the engine keeps resident to run the model.
    public var residentBytes: Int
    /// The task metric (see `ValidationMetric` for units).
    public var metric: Double
    /// Character error rate in percent (ctc-exact only).
    public var characterErrorRate: Double?
    /// Median wall time of one run at batch 1, in milliseconds.
    public var medianLatencyMilliseconds: Double
}

/// The result of `Validator.validate`: both models' metric, the drop, per-output errors.
public struct ValidationReport: Sendable, Codable {
    public var metric: ValidationMetric
    /// Whether the metric was measured against labels (else against the reference's outputs).
    public var labeled: Bool
    public var samples: Int
    public var reference: ModelEvaluation
    public var candidate: ModelEvaluation
    /// How far the candidate falls behind the reference (positive = worse), in the metric's unit.
    public var drop: Double
    public var maxDrop: Double?
    /// False when `maxDrop` is set and `drop` exceeds it.
    public var passed: Bool
    public var outputs: [OutputError]
}
