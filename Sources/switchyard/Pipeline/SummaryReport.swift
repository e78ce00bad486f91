import Foundation
import SwitchyardPipeline

/// The end-of-run summary `pipeline run` prints: totals, then one line per stage.
struct SummaryReport {
    let pipeline: String
    let summary: PipelineSummary

    var text: String {
        let rate = summary.elapsedSeconds > 0 ? Double(summary.framesIn) / summary.elapsedSeconds : 0
        var lines = [
            "pipeline \(pipeline): \(summary.framesIn) frames in, \(summary.eventsOut) events out, "
                + "\(summary.errors) errors, \(summary.dropped) dropped, "
                + String(format: "%.2f s (%.2f frames/s)", summary.elapsedSeconds, rate),
            Formatting.padded("stage", 20) + Formatting.padded("items", 10) + Formatting.padded("errors", 8)
                + Formatting.padded("dropped", 9) + Formatting.padded("p50", 14) + "p99",
        ]
        for stage in summary.stages {
            lines.append(Formatting.padded(stage.stage, 20) + Formatting.padded("\(stage.items)", 10)
                + Formatting.padded("\(stage.errors)", 8) + Formatting.padded("\(stage.dropped)", 9)
                + Formatting.padded(stage.latencyP50.map(Formatting.milliseconds) ?? "-", 14)
                + (stage.latencyP99.map(Formatting.milliseconds) ?? "-"))
        }
        for error in summary.runErrors { lines.append("error: \(error)") }
        return lines.joined(separator: "\n")
    }
}
