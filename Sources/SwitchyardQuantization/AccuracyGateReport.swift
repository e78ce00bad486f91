import Foundation

/// What the accuracy gate of `quantize --validation DIR --max-drop X` measured and decided.
public struct AccuracyGateReport: Sendable, Codable {
    /// One check of a quantized model against the FP32 model on the gate's samples.
    public struct Check: Sendable, Codable, Equatable {
        /// The layers in FP32 in this model (none for the first check).
        public var keptFP32: [String]
        public var metric: Double
        /// How far the metric falls behind the FP32 model's (positive = worse).
        public var drop: Double
        /// Character error rate in percent (ctc-exact only).
        public var characterErrorRate: Double?
        /// How the kept layers compute when not in FP32 (`AccuracyGate.choose(lighter:)`).
        public var keptAs: String?

        init(keptFP32: [String], score: SampleEvaluation.Score, referenceMetric: Double, metric: ValidationMetric) {
            self.keptFP32 = keptFP32
            self.metric = score.metric
            drop = metric.drop(reference: referenceMetric, candidate: score.metric)
            characterErrorRate = score.characterErrorRate
        }
    }

    public var metric: ValidationMetric
    public var maxDrop: Double
    public var validationDirectory: String
    /// Samples every check ran.
    public var samples: Int
    /// Samples each layer's sensitivity was measured on (0 when the fully quantized model passed).
    public var sensitivitySamples = 0
    /// The FP32 model's metric on the gate's samples.
    public var referenceMetric: Double
    /// The fully quantized model first, then one check per prefix of the sensitivity ranking the
    /// search tried (in the order tried), the chosen one last.
    public var checks: [Check] = []
    /// The layers kept in FP32, in the order they were kept, with what each alone recovered.
    public var kept: [LayerSensitivity] = []
    /// How the written model's kept layers compute: the last check's (FP32 unless it says).
    public var keptAs: String { checks.last?.keptAs ?? "FP32" }
    /// True when the written model's kept layers hold FP32 weights (not the lighter FP16 storage).
    public var keptInFP32: Bool { checks.last?.keptAs == nil }

    init(options: AccuracyGateOptions, samples: Int, referenceMetric: Double) {
        metric = options.metric
        maxDrop = options.maxDrop
        validationDirectory = options.validationDirectory
        self.samples = samples
        self.referenceMetric = referenceMetric
    }

    /// The last check's drop: the quantized model's.
    public var drop: Double { checks.last?.drop ?? 0 }

    /// Plain-text lines for the quantize report.
    func lines() -> [String] {
        let unit = metric.unit, points = unit.isEmpty ? "" : " points"
        var lines = [String(format: "accuracy gate: %@ on %d samples of %@, --max-drop %.4g%@; FP32 %.4f%@",
                            metric.rawValue, samples, validationDirectory, maxDrop, points, referenceMetric, unit)]
        for (index, check) in checks.enumerated() {
            let cer = check.characterErrorRate.map { String(format: ", CER %.3f%%", $0) } ?? ""
            let what = index == 0 ? "all layers converted"
                : "\(check.keptFP32.count) most sensitive layer(s) in \(check.keptAs ?? "FP32"), the last '\(check.keptFP32.last ?? "?")'"
            let verdict = check.drop <= maxDrop ? "meets the gate" : "misses"
            lines.append(String(format: "  %@: %.4f%@%@ (drop %.4g): %@", what, check.metric, unit, cer, check.drop, verdict))
        }
        if !kept.isEmpty {
            lines.append("  kept in \(keptAs), costliest first (measured alone on \(sensitivitySamples) samples):")
            for layer in kept {
                let alone = layer.dropAlone.map { String(format: ", converted alone drops %.4g%@", $0, points) } ?? ""
                lines.append(String(format: "    %@ '%@': kept alone recovers %+.4g%@%@, output mean |Δ| %+.4g",
                                    layer.opType, layer.node, layer.recovery, points, alone, -layer.errorReduction))
            }
        }
        return lines
    }
}

extension LayerSensitivity {
    /// Why the accuracy gate kept this layer, for the quantize report's kept-FP32 list.
    func gateReason(_ metric: ValidationMetric) -> String {
        let alone = dropAlone.map { String(format: "; converted alone it drops %.4g", $0) } ?? ""
        return String(format: "kept by the accuracy gate: %@ '%@' kept alone recovers %+.4g of the %@ drop%@",
                      opType, node, recovery, metric.rawValue, alone)
    }
}
