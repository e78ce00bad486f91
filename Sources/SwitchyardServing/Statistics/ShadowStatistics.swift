/// Shadow evaluation of one model version so far (`GET /v2/models/{m}/stats`, key `shadow`).
///
/// Every sampled request ends as exactly one of compared, dropped-busy or failed (or is still
/// waiting for the reference): `sampled == compared + droppedBusy + failed + waiting`.
public struct ShadowStatistics: Sendable, Equatable {
    /// The reference variant ("fp32" = the full-precision file).
    public var reference: String
    public var sampleRate: Double
    /// The configured metric (`auto`, `argmax` or `tolerance`).
    public var metric: String
    public var tolerance: Double
    /// Bytes the reference holds: its weights, packed weights and arena (counted in the
    /// model's `residency.bytes` and the memory budget).
    public var referenceBytes: UInt64
    /// Requests the sampler picked.
    public var sampled: UInt64 = 0
    /// Samples the reference ran on and compared.
    public var compared: UInt64 = 0
    /// Samples dropped because the model had requests waiting (or the shadow queue was full):
    /// shadow work never queues behind or ahead of real requests.
    public var droppedBusy: UInt64 = 0
    /// Samples the reference could not run or compare (logged).
    public var failed: UInt64 = 0
    /// Units compared (rows for argmax outputs, elements for tolerance outputs) and those that agreed.
    public var comparedUnits: UInt64 = 0
    public var agreeingUnits: UInt64 = 0
    /// Elements whose absolute error entered the figures below.
    public var comparedElements: UInt64 = 0
    public var absoluteErrorSum: Double = 0
    public var maxAbsoluteError: Double = 0

    public init(reference: String, sampleRate: Double, metric: String, tolerance: Double, referenceBytes: UInt64) {
        self.reference = reference
        self.sampleRate = sampleRate
        self.metric = metric
        self.tolerance = tolerance
        self.referenceBytes = referenceBytes
    }

    /// Fraction of compared units that agree, 0…1; nil before the first comparison.
    public var agreement: Double? {
        comparedUnits == 0 ? nil : Double(agreeingUnits) / Double(comparedUnits)
    }

    /// Mean absolute error over every compared element; nil before the first comparison.
    public var meanAbsoluteError: Double? {
        comparedElements == 0 ? nil : absoluteErrorSum / Double(comparedElements)
    }
}
