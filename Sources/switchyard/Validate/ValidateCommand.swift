import ArgumentParser
import Foundation
import SwitchyardQuantization
import SwitchyardTensor

/// `switchyard validate --reference REF.onnx --candidate CAND.onnx --data DIR [--labels FILE]
/// [--metric top1|agreement|cosine|mae|ctc-exact] [--max-drop X] [--per-layer] [--json] [--threads N]`.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Compare a candidate model (e.g. quantized) with its reference on held-out samples.",
        discussion: """
        DIR holds one sample per NNNN.npy (one-input models) or NNNN/INPUT_NAME.npy; each array keeps its batch \
        dimension. Both models run every sample in the engine on a dedicated thread. Accuracy metrics are \
        percentages and --max-drop is in percentage points (cosine and mae: in their own units). Exits with \
        code \(Self.dropExceededExitCode) when the drop exceeds --max-drop, 1 on any error.
        """
    )

    static let dropExceededExitCode: Int32 = 3

    @Option(help: "The reference (full-precision) .onnx model.")
    var reference: String

    @Option(help: "The candidate .onnx model (e.g. its quantized form).")
    var candidate: String

    @Option(help: "Folder of samples (see above).")
    var data: String

    @Option(help: "Labels file, one line per sample (class index for top1, text for ctc-exact).")
    var labels: String?

    @Option(help: ArgumentHelp("Task metric: \(ValidationMetric.allCases.map(\.rawValue).joined(separator: "|")).", valueName: "metric"))
    var metric: ValidationMetric = .agreement

    @Option(name: .customLong("max-drop"), help: "Largest acceptable drop of the metric (percentage points for accuracy metrics).")
    var maxDrop: Double?

    @Option(help: "Character dictionary for ctc-exact when the reference has no 'character' metadata.")
    var dictionary: String?

    @Flag(name: .customLong("per-layer"), help: "Also measure each quantized layer's sensitivity (QDQ candidates).")
    var perLayer = false

    @Option(name: .customLong("per-layer-samples"), help: "Samples per layer for --per-layer.")
    var perLayerSamples = 16

    @Option(name: .customLong("per-layer-op-types"), help: ArgumentHelp("Only analyze layers of these op types.", valueName: "Conv,MatMul"))
    var perLayerOpTypes: String?

    @Option(name: .customLong("save-outputs"), help: "Write both models' outputs to DIR/{reference,candidate}/NNNN/OUTPUT.npy.")
    var saveOutputs: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "Threads the engine may use per model.")
    var threads = 1

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard perLayerSamples >= 1 else { throw ValidationError("--per-layer-samples must be at least 1, got \(perLayerSamples)") }
        if let maxDrop, !maxDrop.isFinite { throw ValidationError("--max-drop must be a finite number") }
    }

    /// The JSON document: the validation and, with --per-layer, the sensitivity report.
    struct Report: Encodable {
        var validation: ValidationReport
        var sensitivity: SensitivityReport?
    }

    func run() throws {
        let options = ValidationOptions(metric: metric, labelsPath: labels, threads: threads, maxDrop: maxDrop,
                                        characterDictionaryPath: dictionary, sampleObserver: outputWriter())
        let (reference, candidate, data) = (reference, candidate, data)
        let validation = try DedicatedThread.run {
            try Validator.validate(reference: reference, candidate: candidate, dataDirectory: data, options: options)
        }
        var sensitivity: SensitivityReport?
        if perLayer {
            let sensitivityOptions = SensitivityOptions(metric: metric, labelsPath: labels, threads: threads,
                                                        maxSamples: perLayerSamples, characterDictionaryPath: dictionary,
                                                        opTypes: perLayerOpTypes.map { Set($0.split(separator: ",").map(String.init)) })
            sensitivity = try DedicatedThread.run {
                try SensitivityAnalysis.analyze(reference: reference, candidate: candidate, dataDirectory: data,
                                                options: sensitivityOptions)
            }
        }
        let report = Report(validation: validation, sensitivity: sensitivity)
        print(json ? try Formatting.json(report) : ValidationText.render(validation, sensitivity: sensitivity))
        if !validation.passed { throw ExitCode(Self.dropExceededExitCode) }
    }

    /// Writes each sample's outputs under --save-outputs, when given.
    private func outputWriter() -> (@Sendable (Int, [String: Tensor], [String: Tensor]) throws -> Void)? {
        guard let directory = saveOutputs else { return nil }
        return { index, referenceOutputs, candidateOutputs in
            let sample = String(format: "%04d", index)
            for (role, outputs) in [("reference", referenceOutputs), ("candidate", candidateOutputs)] {
                let folder = ((directory as NSString).appendingPathComponent(role) as NSString).appendingPathComponent(sample)
                _ = try InferCommand.writeOutputs(outputs, order: outputs.keys.sorted(), to: folder)
            }
        }
    }
}

extension ValidationMetric: ExpressibleByArgument {}
