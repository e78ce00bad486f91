import Foundation
import SwitchyardQuantization

/// The plain-text form of `switchyard validate`'s report.
enum ValidationText {
    static func render(_ report: ValidationReport, sensitivity: SensitivityReport?) -> String {
        let unit = report.metric.unit
        let against = report.labeled ? "labels" : "the reference's outputs"
        var lines = ["\(report.metric.rawValue) on \(report.samples) samples (against \(against)):"]
        for (role, model) in [("reference", report.reference), ("candidate", report.candidate)] {
            var line = "  \(Formatting.padded(role, 10)) \(String(format: "%.4f", model.metric))\(unit)"
            if let rate = model.characterErrorRate { line += String(format: "  CER %.3f%%", rate) }
            line += "  file \(Formatting.bytes(model.fileBytes))  resident \(Formatting.bytes(model.residentBytes))"
            line += " (weights \(Formatting.bytes(model.weightBytes)) + packed \(Formatting.bytes(model.packedWeightBytes))"
                + " + arena \(Formatting.bytes(model.arenaBytes)))"
            line += "  latency \(String(format: "%.3f ms", model.medianLatencyMilliseconds)) (median, batch 1)"
            lines.append(line + "  \(model.path)")
        }
        var verdict = "drop: \(String(format: "%.4f", report.drop))\(unit.isEmpty ? "" : " points")"
        if let maxDrop = report.maxDrop {
            verdict += report.passed ? " (within --max-drop \(maxDrop))" : " EXCEEDS --max-drop \(maxDrop)"
        }
        lines.append(verdict)
        lines.append("output errors (candidate vs reference):")
        for output in report.outputs {
            lines.append("  \(output.name): max |Δ| \(String(format: "%.6g", output.maxAbsoluteError)), mean |Δ| \(String(format: "%.6g", output.meanAbsoluteError))")
        }
        if let sensitivity { lines += render(sensitivity) }
        return lines.joined(separator: "\n")
    }

    private static func render(_ report: SensitivityReport) -> [String] {
        var lines = [String(
            format: "per-layer sensitivity on %d samples: reference %.4f, candidate %.4f (mean |Δ| %.6g); %d quantized layers, costliest first:",
            report.samples, report.referenceMetric, report.candidateMetric, report.candidateMeanAbsoluteError, report.layers.count)]
        guard !report.layers.isEmpty else { return lines + ["  (no DequantizeLinear feeds any layer: not a QDQ model)"] }
        for layer in report.layers {
            lines.append(String(format: "  %+9.4f  mean |Δ| %-11.6g ", layer.recovery, layer.meanAbsoluteError)
                         + "\(layer.node) (\(layer.opType))")
        }
        return lines
    }
}
