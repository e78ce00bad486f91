import SwitchyardGraph
import SwitchyardTensor

extension Quantizer {
    /// FP16/BF16 storage of `prepared` (`FloatStorageConversion`): layers named by `--exclude`
    /// keep FP32 weights, and with `options.gate` the accuracy gate keeps in FP32 the fewest
    /// most sensitive layers that bring the drop against `reference` within `--max-drop`
    /// (BF16's 8-bit mantissa moves PP-OCR det's probability map near its threshold, for one).
    static func floatStorage(
        _ prepared: Model, reference: Model, options: QuantizationOptions, exclusion: NodeExclusion,
        report: inout QuantizationReport
    ) throws(QuantizationError) -> Model {
        let type: DataType = options.precision == .fp16 ? .float16 : .bfloat16
        var target = prepared
        // Cast from bfloat16 exists from opset 13 on.
        if type == .bfloat16 && prepared.defaultOpset < OpsetUpgrade.target {
            switch OpsetUpgrade.toOpset13(prepared) {
            case .success(let upgraded):
                target = upgraded
                report.notes.append("opset \(prepared.defaultOpset) -> 13: Cast from bfloat16 needs opset 13")
            case .failure(let refusal):
                throw QuantizationError("bf16 needs opset 13 (Cast from bfloat16) and this opset-\(prepared.defaultOpset) model cannot move there: \(refusal.reason); use --precision fp16")
            }
        }
        var kept: [Int: String] = [:]
        for (index, node) in target.graph.nodes.enumerated() where exclusion.excludes(node) {
            kept[index] = "excluded by --exclude (\(node.opType) '\(node.displayName)')"
        }
        if let gate = options.gate {
            let layers = FloatStorageConversion.layers(of: target, target: type).filter { kept[$0.nodeIndex] == nil }
            var scratch = QuantizationReport(precision: options.precision)
            let excluded = kept
            let outcome = try AccuracyGate(options: gate, threads: options.threads).choose(reference: reference, layers: layers) {
                gated in
                let chosen = Dictionary(uniqueKeysWithValues: gated.map { ($0, "kept by the accuracy gate") })
                return FloatStorageConversion.convert(target, to: type, keeping: excluded.merging(chosen) { first, _ in first },
                                                      report: &scratch)
            }
            report.accuracyGate = outcome.report
            let sensitivities = Dictionary(outcome.report.kept.map { ($0.node, $0) }, uniquingKeysWith: { first, _ in first })
            for layer in layers where outcome.kept.contains(layer.nodeIndex) {
                kept[layer.nodeIndex] = sensitivities[layer.name]?.gateReason(gate.metric)
                    ?? "kept by the accuracy gate: \(layer.opType) '\(layer.name)'"
            }
        }
        return FloatStorageConversion.convert(target, to: type, keeping: kept, report: &report)
    }
}
