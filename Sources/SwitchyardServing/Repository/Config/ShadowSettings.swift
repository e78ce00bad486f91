/// Shadow evaluation of a model, from its config's `parameters`: the server runs a reference
/// variant on a fraction of live requests when the model is idle and compares the outputs.
///
/// - `shadow_reference`: the variant to compare against (`"fp32"` = the full-precision file).
/// - `shadow_sample_rate`: fraction of requests sampled, in [0, 1] (default 0.05; 0 samples none).
/// - `shadow_metric`: `auto` (default), `argmax` or `tolerance`: how outputs agree (see `Metric`).
/// - `shadow_tolerance`: the absolute difference `tolerance` accepts (default 0.001).
public struct ShadowSettings: Sendable, Equatable {
    public static let referenceKey = "shadow_reference"
    public static let sampleRateKey = "shadow_sample_rate"
    public static let metricKey = "shadow_metric"
    public static let toleranceKey = "shadow_tolerance"
    public static let defaultSampleRate = 0.05
    public static let defaultTolerance = 1e-3

    /// How an output of the served model agrees with the reference's.
    public enum Metric: String, Sendable, CaseIterable {
        /// `argmax` for an output of shape [batch, classes] (classes ≥ 2), else `tolerance`.
        case auto
        /// Rows along the last axis (the class axis) agree when their argmax is the same.
        case argmax
        /// Elements agree when they differ by at most `shadow_tolerance`.
        case tolerance
    }

    /// The reference variant's precision name.
    public var reference: String
    public var sampleRate: Double
    public var metric: Metric
    public var tolerance: Double

    public init(reference: String, sampleRate: Double = defaultSampleRate, metric: Metric = .auto,
                tolerance: Double = defaultTolerance) {
        self.reference = reference
        self.sampleRate = sampleRate
        self.metric = metric
        self.tolerance = tolerance
    }

    /// The settings in `values` (a config's parameters); nil when `shadow_reference` is absent.
    /// Bad values throw `invalidArgument` naming `file` and the key.
    init?(values: [String: String], servedPrecision: String, file: String) throws(ServingError) {
        func fail(_ key: String, _ message: String) -> ServingError {
            .invalidArgument("\(file): parameter '\(key)': \(message)")
        }
        guard let reference = values[Self.referenceKey] else {
            for key in [Self.sampleRateKey, Self.metricKey, Self.toleranceKey] where values[key] != nil {
                throw fail(key, "is set but '\(Self.referenceKey)' is not: name the variant to compare against, e.g. \"\(PrecisionVariant.fullPrecision)\"")
            }
            return nil
        }
        guard PrecisionVariant.isValidName(reference) else {
            throw fail(Self.referenceKey, "\"\(reference)\" is not a precision name (letters, digits, '-' or '_', e.g. \"fp32\" or \"fp16\")")
        }
        guard reference != servedPrecision else {
            throw fail(Self.referenceKey, "\"\(reference)\" is the variant being served; name another one (e.g. \"\(PrecisionVariant.fullPrecision)\" when 'precision' is \"int8\")")
        }
        self.reference = reference
        sampleRate = Self.defaultSampleRate
        if let text = values[Self.sampleRateKey] {
            guard let rate = Double(text.trimmingWhitespace()), rate >= 0, rate <= 1 else {
                throw fail(Self.sampleRateKey, "expected a fraction from 0 to 1 such as \"0.05\", got \"\(text)\"")
            }
            sampleRate = rate
        }
        metric = .auto
        if let text = values[Self.metricKey] {
            guard let metric = Metric(rawValue: text.lowercased()) else {
                throw fail(Self.metricKey, "expected one of \(Metric.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
            }
            self.metric = metric
        }
        tolerance = Self.defaultTolerance
        if let text = values[Self.toleranceKey] {
            guard let tolerance = Double(text.trimmingWhitespace()), tolerance >= 0, tolerance.isFinite else {
                throw fail(Self.toleranceKey, "expected a non-negative number such as \"0.001\", got \"\(text)\"")
            }
            self.tolerance = tolerance
        }
    }
}
