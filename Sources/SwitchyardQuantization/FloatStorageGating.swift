import SwitchyardGraph
import SwitchyardTensor

extension Quantizer {
    /// FP16/BF16 storage of `prepared` (`FloatStorageConversion`): layers named by `--exclude`
    /// keep FP32 weights, BF16 layers named by `options.fp16Storage` are stored as FP16, and with
    /// `options.gate` the accuracy gate keeps in higher precision the fewest most sensitive
    /// layers that bring the drop against `reference` within
    /// `--max-drop` (BF16's 8-bit mantissa moves PP-OCR det's probability map near its
    /// threshold, for one). Higher than BF16 is FP16 storage computed in FP32, so a gated BF16
    /// model stays half the size; higher than FP16 is FP32.
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
        var halves: [Int: String] = [:]
        if type == .bfloat16 && !options.fp16Storage.isEmpty {
            let chosen = try NodeExclusion(options.fp16Storage, graph: target.graph, option: "--fp16-storage")
            for (index, node) in target.graph.nodes.enumerated() where kept[index] == nil && chosen.excludes(node) {
                halves[index] = "stored as FP16 for speed"
            }
        }
        guard let gate = options.gate else {
            return FloatStorageConversion.convert(target, to: type, keeping: kept, storingFP16: halves, report: &report)
        }
        let layers = FloatStorageConversion.layers(of: target, target: type).filter { kept[$0.nodeIndex] == nil && halves[$0.nodeIndex] == nil }
        let excluded = kept
        var scratch = QuantizationReport(precision: options.precision)
        func build(_ chosen: Set<Int>, half: Bool, report: inout QuantizationReport) -> Model {
            let reasons = Dictionary(uniqueKeysWithValues: chosen.map { ($0, "kept by the accuracy gate") })
            return half ? FloatStorageConversion.convert(target, to: type, keeping: excluded,
                                                         storingFP16: halves.merging(reasons) { first, _ in first }, report: &report)
                : FloatStorageConversion.convert(target, to: type, keeping: excluded.merging(reasons) { first, _ in first },
                                                 storingFP16: halves, report: &report)
        }
        // The layers a BF16 model keeps are checked once more as FP16 storage computed in FP32,
        // which keeps the model half the size; they stay FP32 where that misses the gate.
        let outcome = try AccuracyGate(options: gate, threads: options.threads).choose(
            reference: reference, layers: layers,
            lighter: type == .bfloat16 ? ("FP16 storage computed in FP32", { build($0, half: true, report: &scratch) }) : nil,
            build: { build($0, half: false, report: &scratch) })
        report.accuracyGate = outcome.report
        if type == .bfloat16 && !outcome.kept.isEmpty && !outcome.lighterMeets {
            report.notes.append("accuracy gate: the kept layers as FP16 storage miss the gate; they stay FP32")
        }
        let sensitivities = Dictionary(outcome.report.kept.map { ($0.node, $0) }, uniquingKeysWith: { first, _ in first })
        var gated: [Int: String] = [:]
        for layer in layers where outcome.kept.contains(layer.nodeIndex) {
            gated[layer.nodeIndex] = sensitivities[layer.name]?.gateReason(gate.metric)
                ?? "kept by the accuracy gate: \(layer.opType) '\(layer.name)'"
        }
        if outcome.lighterMeets {
            return FloatStorageConversion.convert(target, to: type, keeping: kept,
                                                  storingFP16: halves.merging(gated) { first, _ in first }, report: &report)
        }
        return FloatStorageConversion.convert(target, to: type, keeping: kept.merging(gated) { first, _ in first },
                                              storingFP16: halves, report: &report)
    }
}
