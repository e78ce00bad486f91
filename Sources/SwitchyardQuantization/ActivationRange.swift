/// The float range an activation is quantized over, and its scale and zero point.
public struct ActivationRange: Sendable, Equatable {
    public var minimum: Float
    public var maximum: Float

    public init(minimum: Float, maximum: Float) {
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The observed range clipped to [−threshold, threshold] (for percentile and entropy): a
    /// post-ReLU tensor keeps its zero lower bound rather than a symmetric range.
    public func clipped(to threshold: Float) -> ActivationRange {
        ActivationRange(minimum: max(minimum, -threshold), maximum: min(maximum, threshold))
    }

    /// The range `method` chooses for `values` (the whole distribution at once: for tests and
    /// small tensors; `Calibrator` streams samples instead).
    public static func estimate(_ values: [Float], method: CalibrationMethod, percentile: Double = 99.99) -> ActivationRange {
        let observed = ActivationRange(minimum: values.min() ?? 0, maximum: values.max() ?? 0)
        guard method != .minmax else { return observed }
        var histogram = ActivationHistogram(limit: max(abs(observed.minimum), abs(observed.maximum)))
        histogram.add(values)
        return observed.clipped(to: method == .percentile
            ? histogram.percentileThreshold(percentile) : histogram.entropyThreshold())
    }

    /// Scale and zero point for `type` (asymmetric; the range always includes 0 so that zero
    /// padding is exact, as ONNX requires).
    public func quantizationParameters(for type: ActivationType) -> (scale: Float, zeroPoint: Int) {
        let (qmin, qmax) = type == .u8 ? (0, 255) : (-128, 127)
        let low = min(minimum, 0), high = max(maximum, 0)
        var scale = (high - low) / Float(qmax - qmin)
        if !(scale > 0) || !scale.isFinite { scale = 1 }
        let zeroPoint = Int((Float(qmin) - low / scale).rounded(.toNearestOrEven))
        return (scale, min(max(zeroPoint, qmin), qmax))
    }
}
