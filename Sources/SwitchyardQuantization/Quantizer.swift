import Foundation
import SwitchyardGraph
import SwitchyardONNX

/// Post-training quantization of an ONNX model to FP16, BF16, static INT8 (QDQ) or dynamic INT8.
/// The result is a standard ONNX model that the engine and ONNX Runtime both load.
///
/// Blocking: static INT8 runs the FP32 model on every calibration sample on the calling thread.
/// Call it from a dedicated thread, never from Swift's cooperative pool.
public enum Quantizer {
    /// Metadata key recording the precision a model was converted to.
    public static let precisionMetadataKey = "switchyard.precision"

    /// `model` converted as `options` say. `calibration` is required for `.int8` and ignored
    /// otherwise.
    public static func quantize(
        _ model: Model, options: QuantizationOptions, calibration: SampleSet? = nil
    ) throws(QuantizationError) -> (model: Model, report: QuantizationReport) {
        if options.gate != nil && options.precision == .int8Dynamic {
            throw QuantizationError("the accuracy gate (--validation/--max-drop) applies to int8, fp16 and bf16, not int8-dynamic")
        }
        var report = QuantizationReport(precision: options.precision)
        let exclusion = try NodeExclusion(options.exclude, graph: model.graph)
        let (prepared, notes) = StandardPreparation.prepare(model)
        report.notes += notes
        var result: Model
        switch options.precision {
        case .fp16, .bf16:
            result = try floatStorage(prepared, reference: model, options: options, exclusion: exclusion, report: &report)
        case .int8:
            guard let calibration else {
                throw QuantizationError("--precision int8 needs calibration samples (--calibration DIR)")
            }
            result = try staticINT8(prepared, reference: model, options: options, exclusion: exclusion, calibration: calibration,
                                    report: &report)
        case .int8Dynamic:
            guard prepared.defaultOpset >= 11 else {
                throw QuantizationError("int8-dynamic needs opset 11 or later (DynamicQuantizeLinear); the model has opset \(prepared.defaultOpset)")
            }
            let plan = QuantizationPlan(graph: prepared.graph, exclusion: exclusion, ops: ["MatMul", "Gemm"])
            report.keptFP32 += plan.kept
            result = DynamicQuantization(plan: plan, perChannel: !options.perTensor, weightRange: options.weightRange).rewrite(prepared, report: &report)
            report.notes.append("Conv stays FP32 in int8-dynamic: run-time activation quantization of convolutions is slower than FP32 on x86")
        }
        report.notes.append(CPUPrecisionSupport.current.computePath(for: options.precision))
        if options.precision == .int8 || options.precision == .int8Dynamic, options.weightRange == .reduced {
            report.notes.append("weights use 7 bits (±63): without VNNI, oneDNN's AVX2 int8 kernels (vpmaddubsw) saturate on full-range weights, so the engine runs only 7-bit weights in int8 (--weight-range full for a VNNI target); 7-bit weights cost some models accuracy (YOLOv8n: 85 % detection agreement, against 95 % with 8 bits on a VNNI CPU), so check the result with --validation DIR --max-drop X, which keeps the layers that cost most in FP32")
        }
        result.metadata[precisionMetadataKey] = options.precision.rawValue
        return (result, report)
    }

    /// Reads the model at `input`, quantizes it and writes `output`; the report carries both sizes
    /// on disk. The output location is checked before any work.
    public static func quantizeFile(
        at input: String, to output: String, options: QuantizationOptions, calibrationDirectory: String? = nil
    ) throws(QuantizationError) -> QuantizationReport {
        try checkWritable(output)
        guard FileManager.default.fileExists(atPath: input) else { throw QuantizationError("no such model file: \(input)") }
        let model: Model
        do { model = try ModelLoader.load(path: input) } catch {
            throw QuantizationError("cannot load \(input): \(error)")
        }
        var samples: SampleSet?
        if options.precision == .int8 {
            guard let calibrationDirectory else {
                throw QuantizationError("--precision int8 needs calibration samples (--calibration DIR)")
            }
            samples = try SampleSet(directory: calibrationDirectory, inputNames: model.graph.inputs.map(\.name),
                                    preprocess: options.preprocess)
        }
        let (quantized, initialReport) = try quantize(model, options: options, calibration: samples)
        let data: Data
        do { data = try ModelWriter.serialize(quantized) } catch {
            throw QuantizationError("cannot serialize the quantized model: \(error)")
        }
        do { try data.write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
            throw QuantizationError("cannot write \(output): \(error.localizedDescription)")
        }
        var report = initialReport
        report.sourceBytes = fileSize(input)
        report.outputBytes = data.count
        return report
    }

    private static func staticINT8(
        _ model: Model, reference: Model, options: QuantizationOptions, exclusion: NodeExclusion, calibration: SampleSet,
        report: inout QuantizationReport
    ) throws(QuantizationError) -> Model {
        guard model.defaultOpset >= 10 else {
            throw QuantizationError("int8 needs opset 10 or later (QuantizeLinear); the model has opset \(model.defaultOpset)")
        }
        let inputs = CalibrationInputs(samples: calibration, inputs: model.graph.inputs)
        // Upgrade first: the plan's node indices and the calibrated names are the upgraded graph's.
        var target = model
        var perChannel = !options.perTensor
        if perChannel && model.defaultOpset < OpsetUpgrade.target {
            let shapes = ((try? inputs.sample(at: 0)) ?? [:]).mapValues(\.shape)
            switch OpsetUpgrade.toOpset13(model, inputShapes: shapes) {
            case .success(let upgraded):
                target = upgraded
                report.notes.append("opset \(model.defaultOpset) -> 13: per-channel DequantizeLinear needs opset 13")
            case .failure(let refusal):
                perChannel = false
                report.notes.append("per-tensor weights: per-channel needs opset 13 and the model cannot move there (\(refusal.reason))")
            }
        }
        let plan = QuantizationPlan(graph: target.graph, exclusion: exclusion, ops: ["Conv", "MatMul", "Gemm"],
                                    quantizeAfterActivation: options.quantizeAfterActivation)
        report.keptFP32 += plan.kept
        for node in target.graph.nodes where ["ConvTranspose", "LSTM", "GRU", "RNN", "Einsum"].contains(node.opType) {
            report.keptFP32.append(.init(name: node.displayName, opType: node.opType, detail: "no INT8 QDQ form in this quantizer"))
        }
        let observed = plan.activations + MovementQuantization(graph: target.graph, quantized: plan.activations).calibrated
        let ranges = try Calibrator(model: target, tensors: observed, method: options.method,
                                    percentile: options.percentile, threads: options.threads).ranges(from: inputs)
        report.notes.append("calibrated \(observed.count) activations on \(calibration.count) samples (\(options.method.rawValue)\(options.method == .percentile ? " \(options.percentile)%" : ""))")
        func build(keeping kept: Set<Int>, report: inout QuantizationReport) -> Model {
            let keptPlan = plan.keeping(kept)
            let movement = MovementQuantization(graph: target.graph, quantized: keptPlan.activations,
                                                observable: Set(ranges.keys))
            if movement.movementNodes > 0 {
                report.notes.append("\(movement.movementNodes) Concat/Split/pooling/reshaping nodes between int8 layers are quantized too, so their data moves as int8")
            }
            let rewriter = QDQRewriter(plan: keptPlan, ranges: movement.sharing(ranges), activationType: options.activations,
                                       perChannel: perChannel, weightRange: options.weightRange,
                                       extraActivations: movement.extraActivations)
            return rewriter.rewrite(target, report: &report)
        }
        var kept = Set<Int>()
        if let gate = options.gate {
            let layers = plan.targets.map { planned in
                let node = target.graph.nodes[planned.nodeIndex]
                return AccuracyGate.Layer(nodeIndex: planned.nodeIndex, name: node.displayName, opType: node.opType)
            }
            var scratch = QuantizationReport(precision: .int8)
            let outcome = try AccuracyGate(options: gate, threads: options.threads)
                .choose(reference: reference, layers: layers) { build(keeping: $0, report: &scratch) }
            kept = outcome.kept
            report.accuracyGate = outcome.report
            for layer in outcome.report.kept {
                report.keptFP32.append(.init(name: layer.node, opType: layer.opType, detail: layer.gateReason(gate.metric)))
            }
        }
        let result = build(keeping: kept, report: &report)
        if let note = floatWorkNote(result.graph) { report.notes.append(note) }
        return result
    }

    /// How many other nodes compute on dequantized values, and how many of those sit between
    /// quantize steps (all their results quantized), which the engine runs as byte tables or moves.
    private static func floatWorkNote(_ graph: Graph) -> String? {
        let dequantized = Set(graph.nodes.filter { $0.opType == "DequantizeLinear" }.flatMap(\.outputs))
        var readers: [String: [Node]] = [:]
        for node in graph.nodes { for input in node.inputs { readers[input, default: []].append(node) } }
        let graphOutputs = Set(graph.outputs.map(\.name))
        let floatWork = graph.nodes.filter { node in
            !["QuantizeLinear", "DequantizeLinear", "Conv", "MatMul", "Gemm"].contains(node.opType)
                && node.inputs.contains(where: dequantized.contains)
        }
        guard !floatWork.isEmpty else { return nil }
        let between = floatWork.filter { node in
            node.outputs.allSatisfy { output in
                !graphOutputs.contains(output) && (readers[output] ?? []).allSatisfy { $0.opType == "QuantizeLinear" }
            }
        }
        return "\(floatWork.count) other nodes read dequantized values; \(between.count) of them sit between quantize steps (the engine runs those on int8 data as tables or byte moves), the rest compute in FP32"
    }

    private static func checkWritable(_ output: String) throws(QuantizationError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) {
            guard !isDirectory.boolValue else { throw QuantizationError("output path \(output) is a directory; give a file name such as \(output)/model.int8.onnx") }
            guard FileManager.default.isWritableFile(atPath: output) else { throw QuantizationError("output file \(output) is not writable") }
            return
        }
        let directory = (output as NSString).deletingLastPathComponent.isEmpty ? "." : (output as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw QuantizationError("cannot write \(output): folder \(directory) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw QuantizationError("cannot write \(output): folder \(directory) is not writable")
        }
    }

    private static func fileSize(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
    }
}
