import Foundation
import SwitchyardEngine
import SwitchyardQuantization
import SwitchyardTensor

/// `quantize`'s rule that its output is never slower than the source on this CPU: after
/// writing the converted model it times both (`SpeedCheck`); while the converted one is slower,
/// it profiles the converted model node by node, keeps the quantized layers the engine runs in
/// int8 that cost the most in FP32 (`--exclude`), quantizes again and re-checks. The report
/// says which layers were kept and why. Blocking: run it on a dedicated thread.
struct SpeedGate: Sendable {
    var source: String
    var output: String
    var calibration: String
    var options: QuantizationOptions
    /// Quantize-and-check rounds after the first check.
    var maxRounds = 3
    /// Converted time ÷ source time above which the converted model counts as slower (timing
    /// noise on a shared machine is a few percent).
    static let slowerRatio = 1.05
    /// Operators whose step is one quantized layer running in int8 (named after its Conv/MatMul).
    static let integerLayerOps: Set<String> = ["QLinearConv", "QLinearMatMul"]

    struct Outcome: Sendable {
        var report: QuantizationReport
        var checks: [SpeedCheck.Outcome]
        /// Layers kept in FP32 by the gate, in the order they were chosen.
        var keptForSpeed: [String]

        var text: String {
            var lines = checks.enumerated().map { index, check in
                (checks.count > 1 ? "round \(index): " : "") + check.text
            }
            if !keptForSpeed.isEmpty {
                lines.append("speed gate: kept \(keptForSpeed.count) layer(s) in FP32 because int8 ran slower than FP32 here: \(keptForSpeed.joined(separator: ", "))")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Checks `report`'s output and, while it is slower than the source, re-quantizes with the
    /// costliest int8 layers excluded. The file at `output` is the last model written.
    func run(report initial: QuantizationReport) throws -> Outcome {
        var report = initial
        var options = self.options
        var checks = [try SpeedCheck(source: source, converted: output, calibration: calibration, preprocess: options.preprocess).run()]
        var kept: [String] = []
        var reasons: [String: String] = [:]
        var round = 0
        while let last = checks.last, last.ratio > Self.slowerRatio, round < maxRounds {
            round += 1
            let costs = try integerLayerCosts()
            let candidates = costs.filter { !options.exclude.contains($0.name) }
            guard !candidates.isEmpty else {
                report.notes.append("speed gate: the converted model is \(String(format: "%.2f", last.ratio))× the source's time and no quantized layer runs in int8 here; the remaining cost is in the float path's quantize steps")
                break
            }
            // The slowest half (at least one) per round keeps the number of re-quantizations low.
            let chosen = candidates.prefix(max(1, candidates.count / 2))
            for layer in chosen {
                reasons[layer.name] = String(format: "kept FP32 by the speed gate: its int8 step took %.3f ms per run on this CPU and the int8 model ran %.2f× the FP32 model's time (round %ld)", layer.milliseconds, last.ratio, round)
            }
            kept += chosen.map { $0.name }
            options.exclude += chosen.map { $0.name }
            do {
                report = try Quantizer.quantizeFile(at: source, to: output, options: options, calibrationDirectory: calibration)
            } catch {
                throw CLIError("speed gate round \(round): re-quantizing with \(chosen.count) layer(s) kept FP32 failed: \(error)")
            }
            checks.append(try SpeedCheck(source: source, converted: output, calibration: calibration, preprocess: options.preprocess).run())
        }
        for index in report.keptFP32.indices {
            if let reason = reasons[report.keptFP32[index].name] { report.keptFP32[index].detail = reason }
        }
        if let last = checks.last, last.ratio > Self.slowerRatio {
            report.notes.append(String(format: "speed gate: still %.2f× the source's time after %ld round(s); on this CPU the FP32 source is the faster model", last.ratio, round))
        }
        return Outcome(report: report, checks: checks, keptForSpeed: kept)
    }

    /// The quantized layers the engine runs in int8 in the model at `output`, with their time
    /// per run on the first calibration sample (1 thread), costliest first.
    func integerLayerCosts(runs: Int = 10) throws -> [(name: String, milliseconds: Double)] {
        let model = try LoadedModel(contentsOf: output)
        let samples = try SampleSet(directory: calibration, inputNames: model.inputs.map(\.name), preprocess: options.preprocess)
        let inputs = try samples.sample(at: 0)
        let profile = StepProfile()
        let session = try Session(model: model, options: SessionOptions(threads: 1, profile: profile))
        for _ in 0..<3 { _ = try session.run(inputs) }
        profile.reset()
        for _ in 0..<runs { _ = try session.run(inputs) }
        return profile.bySlowest.filter { Self.integerLayerOps.contains($0.opType) }
            .map { ($0.node, $0.seconds * 1000 / Double(runs)) }
    }
}
