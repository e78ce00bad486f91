import ArgumentParser
import Foundation
import SwitchyardServing
import SwitchyardQuantization

extension QuantizationPrecision: ExpressibleByArgument {}
extension CalibrationMethod: ExpressibleByArgument {}
extension ActivationType: ExpressibleByArgument {}
extension WeightRange: ExpressibleByArgument {}

/// `switchyard quantize MODEL.onnx --precision fp16|bf16|int8|int8-dynamic [--output OUT.onnx]`.
struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Convert a model to FP16, BF16, static INT8 (QDQ) or dynamic INT8; writes a standard ONNX file.",
        discussion: """
        fp16/bf16 store float weights at half size with a Cast back to float (BatchNormalization is \
        folded into Conv first; biases and normalisation statistics stay FP32). int8 calibrates \
        activation ranges on --calibration DIR: DIR/NNNN.npy for a one-input model, or \
        DIR/NNNN/INPUT_NAME.npy per input, each with its batch dimension, or PNG/JPEG images with \
        --preprocess (e.g. resize=192x48,mean=0.5,std=0.5,channel_order=bgr). With --validation DIR and \
        --max-drop X (int8, fp16, bf16), the accuracy gate checks the converted model against the FP32 \
        one on held-out samples and, when the drop exceeds X, keeps in FP32 the fewest layers that meet \
        it (ranked by sensitivity, most sensitive first); it fails when even all-FP32 layers miss it. \
        After int8, and after bf16 on a CPU that computes BF16, the speed gate times the result on \
        this CPU (on the first --calibration sample, or the first --speed-batch samples as one batch; \
        bf16 also takes --validation samples) and \
        moves the layers that run slower than FP32 to FP32 compute: int8 layers stay FP32, BF16 layers \
        are stored as FP16 and computed in FP32; a model still not faster keeps every layer so \
        (--skip-speed-gate to keep exactly what was asked, e.g. for another CPU). \
        int8-dynamic quantizes MatMul/Gemm weights and quantizes their activations at run time.
        """
    )

    @Argument(help: "The FP32 .onnx model file.")
    var model: String

    @Option(help: "fp16, bf16, int8 or int8-dynamic.")
    var precision: QuantizationPrecision

    @Option(help: "Where to write the converted model. Default: beside MODEL as the precision variant a model repository serves with parameter 'precision' (model.onnx → model.int8.onnx).")
    var output: String?

    @Option(help: "Folder of calibration samples (int8), or of samples the bf16 speed gate times on.")
    var calibration: String?

    @Option(help: ArgumentHelp("How --calibration images become the input tensor: resize=WxH or letterbox=WxH, scale (default 1/255), mean and std (one value or three separated by ':'), layout=nchw|nhwc, channel_order=rgb|bgr; comma-separated.", valueName: "resize=192x48,mean=0.5,std=0.5"))
    var preprocess: String?

    @Option(help: "How activation ranges are chosen: minmax, percentile or entropy (int8).")
    var method: CalibrationMethod = .minmax

    @Option(help: "Percentile of |x| kept by --method percentile.")
    var percentile = 99.99

    @Flag(help: "One weight scale per tensor instead of per output channel.")
    var perTensor = false

    @Option(help: "Quantized activation type: u8 (default, fast on AVX2) or s8.")
    var activations: ActivationType = .u8

    @Option(help: ArgumentHelp("An op type or node name to keep in FP32 (repeatable).", valueName: "OP_TYPE_OR_NODE_NAME"))
    var exclude: [String] = []

    @Option(name: .customLong("fp16-storage"), help: ArgumentHelp("bf16: an op type or node name whose weights are stored as FP16 and computed in FP32 (repeatable): half the bytes, FP32's speed where BF16 compute loses.", valueName: "OP_TYPE_OR_NODE_NAME"))
    var fp16Storage: [String] = []

    @Option(help: "int8 weights: full (±127, for CPUs with VNNI) or reduced (±63, exact on AVX2). Default: this CPU's.")
    var weightRange: WeightRange = .forThisCPU

    @Option(help: "Folder of held-out samples for the accuracy gate (int8, fp16, bf16; not the calibration samples).")
    var validation: String?

    @Option(help: "Labels file for --validation, one line per sample (top1, ctc-exact).")
    var labels: String?

    @Option(help: ArgumentHelp("Task metric of the accuracy gate: \(ValidationMetric.allCases.map(\.rawValue).joined(separator: "|")).", valueName: "metric"))
    var metric: ValidationMetric = .agreement

    @Option(name: .customLong("max-drop"), help: "Accuracy gate: the largest drop of --metric against the FP32 model (percentage points for accuracy metrics); layers are kept in FP32, most sensitive first, until it is met.")
    var maxDrop: Double?

    @Option(help: "Character dictionary for --metric ctc-exact when the model has no 'character' metadata.")
    var dictionary: String?

    @Option(name: .customLong("sensitivity-samples"), help: "Accuracy gate: samples each layer's sensitivity is measured on.")
    var sensitivitySamples = 16

    @Option(name: .customLong("validation-samples"), help: "Accuracy gate: samples each check runs (default: all of --validation).")
    var validationSamples: Int?

    @Flag(name: [.customLong("quantize-before-activation"), .customLong("quantize-before-silu")],
          help: "int8: quantize a convolution followed by a SiLU or HardSwish at its own output and again after the activation (ONNX Runtime's placement); the default quantizes once, after the activation, which the engine computes inside the int8 convolution (more accurate: YOLOv8; faster: PP-OCR).")
    var quantizeBeforeActivation = false

    @Option(name: .customLong("speed-batch"), help: "int8, bf16: the batch the speed gate times both models at (the first N samples joined); give the batch the model will serve at, e.g. the server's max_batch_size (int8 can lose at batch 1 and win at 8).")
    var speedBatch = 1

    @Flag(name: .customLong("skip-speed-gate"), help: "int8, bf16: write the converted model as asked, without timing it and moving the layers that run slower than FP32 on this CPU to FP32 compute (for accuracy studies, or a model meant for another CPU).")
    var skipSpeedGate = false

    @Option(help: "Threads for the calibration runs.")
    var threads = 1

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "List every converted node or weight, not only counts.")
    var verbose = false

    /// `--output`, or MODEL's precision variant name: `dir/model.onnx` → `dir/model.int8.onnx`.
    var outputPath: String {
        if let output { return output }
        let url = URL(fileURLWithPath: model)
        let name = PrecisionVariant.fileName(precision: precision.rawValue, defaultFileName: url.lastPathComponent)
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard percentile > 0 && percentile <= 100 else { throw ValidationError("--percentile must be in (0, 100], got \(percentile)") }
        if precision == .int8 && calibration == nil {
            throw ValidationError("--precision int8 needs --calibration DIR (DIR/NNNN.npy or DIR/NNNN/INPUT_NAME.npy)")
        }
        if let preprocess {
            guard precision == .int8 else { throw ValidationError("--preprocess applies to --calibration images (int8), not \(precision.rawValue)") }
            do { _ = try ImagePreprocessing(parsing: preprocess) } catch { throw ValidationError(error.description) }
        }
        if (validation == nil) != (maxDrop == nil) {
            throw ValidationError("the accuracy gate needs both --validation DIR and --max-drop X")
        }
        if validation != nil && precision == .int8Dynamic {
            throw ValidationError("--validation/--max-drop gate int8, fp16 and bf16, not \(precision.rawValue)")
        }
        if quantizeBeforeActivation && precision != .int8 {
            throw ValidationError("--quantize-before-activation applies to --precision int8 (static activations)")
        }
        if speedBatch < 1 {
            throw ValidationError("--speed-batch must be at least 1")
        }
        if skipSpeedGate && precision != .int8 && precision != .bf16 {
            throw ValidationError("--skip-speed-gate applies to --precision int8 and bf16 (the conversions the speed gate checks)")
        }
        if !fp16Storage.isEmpty && precision != .bf16 {
            throw ValidationError("--fp16-storage applies to --precision bf16 (layers stored as FP16 beside BF16 ones)")
        }
        if let maxDrop, !(maxDrop.isFinite && maxDrop >= 0) {
            throw ValidationError("--max-drop must be a finite number ≥ 0, got \(maxDrop)")
        }
        guard sensitivitySamples >= 1 else { throw ValidationError("--sensitivity-samples must be at least 1, got \(sensitivitySamples)") }
        if let validationSamples, validationSamples < 1 {
            throw ValidationError("--validation-samples must be at least 1, got \(validationSamples)")
        }
    }

    func run() throws {
        let preprocessing = try preprocess.map { try ImagePreprocessing(parsing: $0) }
        var chosen = QuantizationOptions(
            precision: precision, method: method, percentile: percentile, perTensor: perTensor,
            activations: activations, exclude: exclude, threads: threads, weightRange: weightRange,
            gate: validation.map { directory in
                AccuracyGateOptions(validationDirectory: directory, labelsPath: labels, metric: metric, maxDrop: maxDrop ?? 0,
                                    characterDictionaryPath: dictionary, sensitivitySamples: sensitivitySamples,
                                    maxSamples: validationSamples)
            },
            preprocess: preprocessing)
        chosen.quantizeAfterActivation = !quantizeBeforeActivation
        chosen.fp16Storage = fp16Storage
        let options = chosen
        let (model, output, calibration) = (model, outputPath, calibration)
        let report: QuantizationReport
        do {
            report = try DedicatedThread.run {
                try Quantizer.quantizeFile(at: model, to: output, options: options, calibrationDirectory: calibration)
            }
        } catch let error as QuantizationError {
            throw CLIError(error.message)
        }
        // int8 times on its calibration samples; bf16 on those or on the held-out ones.
        let timingSamples = precision == .int8 ? calibration : calibration ?? validation
        guard !skipSpeedGate, SpeedGate.checks(precision), let timingSamples else {
            var report = report
            if !skipSpeedGate && SpeedGate.checks(precision) {
                report.notes.append("speed gate skipped: give --calibration DIR (samples to time on) to check that the \(precision.rawValue) model is faster than FP32 on this CPU")
            }
            print(json ? report.json() : "\(report.text(listConverted: verbose))\nwrote \(output)")
            return
        }
        // The default never emits a model slower than its source here (issue 4): the gate times
        // both and moves the layers that lose to FP32 compute.
        // Its re-conversions keep the accuracy gate's choice as fixed layers (FP32, or FP16
        // storage for BF16) instead of running the accuracy gate again each round.
        var speedOptions = options
        if let accuracy = report.accuracyGate {
            speedOptions.gate = nil
            if precision == .bf16 && !accuracy.keptInFP32 {
                speedOptions.fp16Storage += accuracy.kept.map(\.node)
            } else {
                speedOptions.exclude += accuracy.kept.map(\.node)
            }
        }
        let gate = SpeedGate(source: model, output: output, calibration: timingSamples, options: speedOptions,
                             batch: speedBatch)
        let initial = report
        do {
            var outcome = try DedicatedThread.run { try gate.run(report: initial) }
            outcome.report.accuracyGate = initial.accuracyGate
            let gateReasons = Dictionary(initial.keptFP32.map { ($0.name, $0.detail) }, uniquingKeysWith: { first, _ in first })
            for index in outcome.report.keptFP32.indices where outcome.report.keptFP32[index].detail == "excluded by --exclude" {
                outcome.report.keptFP32[index].detail = gateReasons[outcome.report.keptFP32[index].name] ?? "excluded by --exclude"
            }
            print(json ? outcome.report.json() : "\(outcome.report.text(listConverted: verbose))\nwrote \(output)\n\(outcome.text)")
        } catch {
            print(json ? report.json() : "\(report.text(listConverted: verbose))\nwrote \(output)\nspeed check skipped: \(error)")
        }
    }
}
