import Foundation
import SwitchyardEngine
import SwitchyardONNX
import SwitchyardQuantization
import SwitchyardTensor

/// `quantize`'s rule that its output is never slower than the source on this CPU: after
/// writing the converted model it times both (`SpeedCheck`), profiles both node by node, moves
/// the converted layers whose time exceeds the same layer's FP32 time (`LayerSpeedComparison`)
/// to FP32 compute — int8 layers through `--exclude`, BF16 layers as FP16 storage computed in
/// FP32 (`--fp16-storage`, still half the bytes) — converts again and re-checks; more
/// rounds follow while the converted model is not faster beyond timing noise, and a model that
/// stays so keeps every layer FP32 (`pays`). A round stands only when the whole
/// model got faster: a layer slower alone can still pay inside a chain of int8 layers, and
/// keeping it FP32 adds quantize steps around it (PP-OCR rec: 0.54× the source's time, 0.79×
/// after the per-layer round), so a round that loses is undone. The report says which layers
/// were kept and why. Blocking: run it on a dedicated thread.
struct SpeedGate: Sendable {
    var source: String
    var output: String
    /// The folder of samples both models are converted with (calibration) and timed on.
    var calibration: String
    var options: QuantizationOptions
    /// The batch both models are timed at (`--speed-batch`).
    var batch = 1
    /// Quantize-and-check rounds after the first check.
    var maxRounds = 3
    /// Converted time ÷ source time above which the converted model counts as slower (timing
    /// noise on a shared machine is a few percent).
    static let slowerRatio = 1.05
    /// Source operators a quantized layer is made from (the names `--exclude` takes).
    static let layerOps: Set<String> = ["Conv", "ConvTranspose", "MatMul", "Gemm"]
    var comparison = LayerSpeedComparison()

    /// The precisions the gate checks on this CPU: int8, and BF16 where oneDNN computes it (elsewhere
    /// BF16 and FP16 are storage formats computed in FP32, at FP32's speed).
    static func checks(_ precision: QuantizationPrecision, nativeBF16: Bool = CPUPrecisionSupport.current.nativeBF16) -> Bool {
        precision == .int8 || (precision == .bf16 && nativeBF16)
    }

    /// How a layer that loses is moved to FP32 compute, in words for the report.
    var keptAs: String { options.precision == .bf16 ? "FP16 storage computed in FP32" : "FP32" }

    struct Outcome: Sendable {
        var report: QuantizationReport
        var checks: [SpeedCheck.Outcome]
        /// Layers moved to FP32 compute by the gate, in the order they were chosen.
        var keptForSpeed: [String]
        var precision: QuantizationPrecision
        var keptAs: String

        var text: String {
            var lines = checks.enumerated().map { index, check in
                (checks.count > 1 ? "round \(index): " : "") + check.text
            }
            if !keptForSpeed.isEmpty {
                lines.append("speed gate: kept \(keptForSpeed.count) layer(s) as \(keptAs) because \(precision.rawValue) ran slower than FP32 here: \(keptForSpeed.joined(separator: ", "))")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// `options` with `layers` moved to FP32 compute as the precision allows.
    func keeping(_ layers: [String], in options: QuantizationOptions) -> QuantizationOptions {
        var options = options
        if options.precision == .bf16 { options.fp16Storage += layers } else { options.exclude += layers }
        return options
    }

    /// Layers already moved to FP32 compute in `options`.
    func alreadyKept(_ options: QuantizationOptions) -> Set<String> { Set(options.exclude + options.fp16Storage) }

    /// Checks `report`'s output and, while it is not faster than the source, converts again with
    /// the layers that run slower than in FP32 moved to FP32 compute. The file at `output` is the
    /// last model written.
    func run(report initial: QuantizationReport) throws -> Outcome {
        var report = initial
        var options = self.options
        let precision = options.precision.rawValue
        var checks = [try check(options)]
        var kept: [String] = []
        var reasons: [String: String] = [:]
        var round = 0
        let layerNames = try Self.layerNames(in: source)
        var floatTimes: [(node: String, milliseconds: Double)]?
        // The fastest model written so far, restored when a round makes the model slower.
        var best = Standing(report: report, ratio: checks[0].ratio, kept: [], options: options,
                            file: try Data(contentsOf: URL(fileURLWithPath: output)))
        // The first round always runs: a layer that loses costs time even when the others'
        // gains hide it; later rounds only while the whole model is not yet faster.
        while let last = checks.last, round == 0 || !Self.pays(ratio: last.ratio), round < maxRounds {
            round += 1
            if floatTimes == nil { floatTimes = try nodeTimes(of: source) }
            let candidates = convertedLayers(report: report, options: options, layerNames: layerNames)
            let layers = comparison.layers(quantized: try nodeTimes(of: output), float: floatTimes ?? [], layerNames: candidates)
            let chosen = comparison.losing(layers, excluded: alreadyKept(options))
            guard !chosen.isEmpty else {
                if !Self.pays(ratio: last.ratio) {
                    report.notes.append("speed gate: the converted model is \(String(format: "%.2f", last.ratio))× the source's time, not faster beyond timing noise, but no converted layer runs slower than its FP32 version here; the difference is outside the layers (the conversions between them)")
                }
                break
            }
            for layer in chosen {
                reasons[layer.name] = String(format: "kept as %@ by the speed gate: as %@ it took %.3f ms per run against %.3f ms in FP32 on this CPU (round %ld, the model ran %.2f× FP32's time)", keptAs, precision, layer.quantizedMilliseconds, layer.floatMilliseconds, round, last.ratio)
            }
            kept += chosen.map(\.name)
            options = keeping(chosen.map(\.name), in: options)
            report = try convert(options, what: "speed gate round \(round): converting with \(chosen.count) layer(s) kept as \(keptAs)")
            let check = try check(options)
            checks.append(check)
            guard Self.roundStands(ratio: check.ratio, bestRatio: best.ratio) else {
                try best.file.write(to: URL(fileURLWithPath: output))
                report = best.report
                kept = best.kept
                options = best.options
                report.notes.append(String(format: "speed gate: round %ld kept %ld layer(s) as %@ and the model ran %.2f× the source's time, against %.2f× before it, no faster beyond timing noise; the round is undone and those layers stay %@ (inside a chain of %@ layers they cost no more than alone)", round, chosen.count, keptAs, check.ratio, best.ratio, precision, precision))
                break
            }
            best = Standing(report: report, ratio: check.ratio, kept: kept, options: options,
                            file: try Data(contentsOf: URL(fileURLWithPath: output)))
        }
        // Not faster with every losing layer kept: the cost is between the layers (the
        // conversions between them), or the gain is within timing noise, so no converted layer
        // pays here. The default output is never slower than its source: move them all to FP32
        // compute (`--skip-speed-gate` writes the converted model anyway).
        if let remaining = Self.layersToKeepWhenNotFaster(
            ratio: best.ratio, converted: convertedLayers(report: report, options: options, layerNames: layerNames),
            excluded: alreadyKept(options)) {
            let reason = String(format: "kept as %@ by the speed gate: with %ld layer(s) already kept, the model ran %.2f× FP32's time, no faster beyond timing noise: %@ does not pay for this model on this CPU", keptAs, kept.count, best.ratio, precision)
            for layer in remaining { reasons[layer] = reason }
            kept += remaining
            options = keeping(remaining, in: options)
            report = try convert(options, what: "speed gate: converting with every layer kept as \(keptAs)")
            let computes = options.precision == .bf16
                ? "every layer is stored as FP16 and computed in FP32 (the source's arithmetic at half its bytes)"
                : "every layer is kept FP32 and the output computes what the source does"
            report.notes.append(String(format: "speed gate: the converted model ran %.2f× the source's time, not faster beyond timing noise (%.2f× or less), so %@; --skip-speed-gate writes the %@ model anyway (for its size, or for another CPU)", best.ratio, 1 / Self.slowerRatio, computes, precision))
            let check = try check(options)
            checks.append(check)
            best.ratio = check.ratio
        }
        for index in report.keptFP32.indices {
            if let reason = reasons[report.keptFP32[index].name] { report.keptFP32[index].detail = reason }
        }
        if best.ratio > Self.slowerRatio {
            report.notes.append(String(format: "speed gate: still %.2f× the source's time after %ld round(s); on this CPU the FP32 source is the faster model", best.ratio, round))
        }
        return Outcome(report: report, checks: checks, keptForSpeed: kept, precision: options.precision, keptAs: keptAs)
    }

    /// The samples both models are timed on.
    var timingSamples: SpeedGateSamples {
        SpeedGateSamples(directory: calibration, preprocess: options.preprocess, batch: batch)
    }

    /// The source and the file at `output` timed on the first sample (`batch` of them).
    private func check(_ options: QuantizationOptions) throws -> SpeedCheck.Outcome {
        try SpeedCheck(source: source, converted: output, samples: timingSamples).run()
    }

    /// Converts the source to `output` again with `options`.
    private func convert(_ options: QuantizationOptions, what: String) throws -> QuantizationReport {
        do {
            return try Quantizer.quantizeFile(at: source, to: output, options: options, calibrationDirectory: calibration)
        } catch {
            throw CLIError("\(what) failed: \(error)")
        }
    }

    /// The layers the converted model computes in low precision: int8 layers the report names;
    /// for BF16 (whose report names weights, not nodes) every layer not yet moved to FP32 compute.
    private func convertedLayers(report: QuantizationReport, options: QuantizationOptions, layerNames: Set<String>) -> Set<String> {
        options.precision == .bf16
            ? layerNames.subtracting(alreadyKept(options))
            : layerNames.intersection(report.converted.map(\.name))
    }

    /// A round's outcome: what the file at `output` holds after it.
    private struct Standing {
        var report: QuantizationReport
        /// Converted time ÷ source time.
        var ratio: Double
        var kept: [String]
        var options: QuantizationOptions
        var file: Data
    }

    /// True when a round's model (`ratio` of the source's time) is faster than the best before
    /// it by more than timing noise (`slowerRatio`); anything else undoes the round, which leaves
    /// more layers int8. Without the margin a round that changed nothing measurable stood on
    /// noise: YOLOv8n at 0.44× FP32's time kept its last head convolution FP32 in one run and not
    /// in the next, and the written file (its detection agreement with it) changed from run to run.
    static func roundStands(ratio: Double, bestRatio: Double) -> Bool { ratio * slowerRatio < bestRatio }

    /// True when a converted model at `ratio` of its source's time is faster beyond timing noise.
    /// The gate measures one thread at `--speed-batch` (default 1); within the noise the same
    /// model can lose where it serves: PP-OCR cls with 2 of 54 layers left int8 measured 1.03×
    /// here and ran 0.85× FP32's speed at batch 8 (BENCHMARKS, AMX section).
    static func pays(ratio: Double) -> Bool { ratio * slowerRatio < 1 }

    /// The quantized layers to keep FP32 as a last step when the model is not faster than its
    /// source after the rounds (`pays` is false): all that are still converted, or nil when the
    /// model is faster or nothing is left to keep.
    static func layersToKeepWhenNotFaster(ratio: Double, converted: Set<String>, excluded: Set<String>) -> [String]? {
        let remaining = converted.subtracting(excluded).sorted()
        return !pays(ratio: ratio) && !remaining.isEmpty ? remaining : nil
    }

    /// Names of the source's nodes that quantization turns into layers (convolutions, matrix
    /// products), which `--exclude` accepts.
    static func layerNames(in path: String) throws -> Set<String> {
        let model = try ModelLoader.load(path: path)
        return Set(model.graph.nodes.filter { layerOps.contains($0.opType) && !$0.name.isEmpty }.map(\.name))
    }

    /// Time per node per run of the model at `path` on the first calibration sample (1 thread),
    /// oneDNN regions broken down by node, in execution order: each node's fastest of `passes`
    /// profiles of `runsPerPass` runs (`LayerSpeedComparison.fastest`).
    func nodeTimes(of path: String, passes: Int = 7, runsPerPass: Int = 3) throws -> [(node: String, milliseconds: Double)] {
        let model = try LoadedModel(contentsOf: path)
        let inputs = try timingSamples.inputs(names: model.inputs.map(\.name))
        let profile = StepProfile()
        let session = try Session(model: model, options: SessionOptions(threads: 1, profile: profile))
        for _ in 0..<3 { _ = try session.run(inputs) }
        var measured: [[(node: String, milliseconds: Double)]] = []
        for _ in 0..<passes {
            profile.reset()
            for _ in 0..<runsPerPass { _ = try session.run(inputs) }
            measured.append(profile.detailMilliseconds(runs: runsPerPass))
        }
        return LayerSpeedComparison.fastest(of: measured)
    }
}
