import Foundation
import SwitchyardEngine
import SwitchyardQuantization
import SwitchyardTensor

/// After `quantize`: the source and the converted model timed on the first calibration samples
/// (`--speed-batch` of them as one batch) on this CPU, so a conversion that runs slower than FP32 here (INT8 without VNNI on depthwise-heavy nets,
/// say) is said, not discovered in production. Blocking: run it on a dedicated thread.
struct SpeedCheck: Sendable {
    var source: String
    var converted: String
    var samples: SpeedGateSamples
    var runs = 20

    struct Outcome: Sendable {
        var sourceSeconds: Double
        var convertedSeconds: Double
        var runs: Int
        var batch: Int
        /// Converted time ÷ source time: above 1 is slower.
        var ratio: Double { convertedSeconds / sourceSeconds }

        var text: String {
            let verdict = ratio > 1.05
                ? "WARNING: the converted model is slower than the source on this CPU; keep the source, or move the layers that lose to FP32 compute (--exclude; --fp16-storage for bf16; switchyard bench --profile shows where the time goes)"
                : "not slower than the source on this CPU"
            return String(format: "speed on this CPU (1 thread, batch %ld, median of %d): source %.3f ms, converted %.3f ms (%.2f×): %@",
                          batch, runs, sourceSeconds * 1e3, convertedSeconds * 1e3, ratio, verdict)
        }
    }

    func run() throws -> Outcome {
        let sourceModel = try LoadedModel(contentsOf: source)
        let convertedModel = try LoadedModel(contentsOf: converted)
        let inputs = try samples.inputs(names: sourceModel.inputs.map(\.name))
        let sessions = [try Session(model: sourceModel), try Session(model: convertedModel)]
        for session in sessions { _ = try session.run(inputs) }
        var times: [[Double]] = [[], []]
        // Alternate the two so both see the same machine noise.
        for _ in 0..<runs {
            for (index, session) in sessions.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try session.run(inputs)
                times[index].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
        }
        return Outcome(sourceSeconds: Statistics.median(times[0]), convertedSeconds: Statistics.median(times[1]), runs: runs,
                       batch: samples.batch)
    }
}
