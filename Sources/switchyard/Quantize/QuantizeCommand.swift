import ArgumentParser
import SwitchyardQuantization

extension QuantizationPrecision: ExpressibleByArgument {}
extension CalibrationMethod: ExpressibleByArgument {}
extension ActivationType: ExpressibleByArgument {}
extension WeightRange: ExpressibleByArgument {}

/// `switchyard quantize MODEL.onnx --precision fp16|bf16|int8|int8-dynamic --output OUT.onnx`.
struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Convert a model to FP16, BF16, static INT8 (QDQ) or dynamic INT8; writes a standard ONNX file.",
        discussion: """
        fp16/bf16 store float weights at half size with a Cast back to float (BatchNormalization is \
        folded into Conv first; biases and normalisation statistics stay FP32). int8 calibrates \
        activation ranges on --calibration DIR: DIR/NNNN.npy for a one-input model, or \
        DIR/NNNN/INPUT_NAME.npy per input, each with its batch dimension. int8-dynamic quantizes \
        MatMul/Gemm weights and quantizes their activations at run time.
        """
    )

    @Argument(help: "The FP32 .onnx model file.")
    var model: String

    @Option(help: "fp16, bf16, int8 or int8-dynamic.")
    var precision: QuantizationPrecision

    @Option(help: "Where to write the converted model.")
    var output: String

    @Option(help: "Folder of calibration samples (int8).")
    var calibration: String?

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

    @Option(help: "int8 weights: full (±127, for CPUs with VNNI) or reduced (±63, exact on AVX2). Default: this CPU's.")
    var weightRange: WeightRange = .forThisCPU

    @Option(help: "Threads for the calibration runs.")
    var threads = 1

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "List every converted node or weight, not only counts.")
    var verbose = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard percentile > 0 && percentile <= 100 else { throw ValidationError("--percentile must be in (0, 100], got \(percentile)") }
        if precision == .int8 && calibration == nil {
            throw ValidationError("--precision int8 needs --calibration DIR (DIR/NNNN.npy or DIR/NNNN/INPUT_NAME.npy)")
        }
    }

    func run() throws {
        let options = QuantizationOptions(
            precision: precision, method: method, percentile: percentile, perTensor: perTensor,
            activations: activations, exclude: exclude, threads: threads, weightRange: weightRange)
        let (model, output, calibration) = (model, output, calibration)
        let report: QuantizationReport
        do {
            report = try DedicatedThread.run {
                try Quantizer.quantizeFile(at: model, to: output, options: options, calibrationDirectory: calibration)
            }
        } catch let error as QuantizationError {
            throw CLIError(error.message)
        }
        guard let calibration else {
            print(json ? report.json() : "\(report.text(listConverted: verbose))\nwrote \(output)")
            return
        }
        // The default never emits a model slower than its source here (issue 4): the gate times
        // both and keeps in FP32 the int8 layers that lose.
        let gate = SpeedGate(source: model, output: output, calibration: calibration, options: options)
        let initial = report
        do {
            let outcome = try DedicatedThread.run { try gate.run(report: initial) }
            print(json ? outcome.report.json() : "\(outcome.report.text(listConverted: verbose))\nwrote \(output)\n\(outcome.text)")
        } catch {
            print(json ? report.json() : "\(report.text(listConverted: verbose))\nwrote \(output)\nspeed check skipped: \(error)")
        }
    }
}
