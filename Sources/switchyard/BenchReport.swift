import Foundation

/// Results of `switchyard bench`.
struct BenchReport: Encodable {
    /// Timings of one (batch, threads) configuration.
    struct Result: Encodable, Equatable {
        var batch: Int
        var threads: Int
        var inputShapes: [String: [Int]]
        var iterations: Int
        /// Of those runs, how many the session ran on one thread (`SessionOptions.adaptsThreads`;
        /// nil when it could not).
        var oneThreadRuns: Int?
        var medianSeconds: Double
        var p90Seconds: Double
        /// Batch items per second at the median time.
        var itemsPerSecond: Double
        /// ONNX Runtime's timings on the same inputs, interleaved run by run.
        var onnxRuntime: Timing?
        /// Switchyard median / ONNX Runtime median (below 1: Switchyard is faster).
        var ratio: Double?
    }

    struct Timing: Encodable, Equatable {
        var medianSeconds: Double
        var p90Seconds: Double
    }

    var model: String
    var results: [Result]
    /// Geometric mean of the ratios, when compared.
    var geometricMeanRatio: Double?
    var onnxRuntimeVersion: String?
    /// Output agreement with ONNX Runtime, checked once (first configuration).
    var agreement: [OutputAgreement]?

    var text: String {
        var lines = ["\(model)"]
        let compared = onnxRuntimeVersion != nil
        let adaptive = results.contains { $0.oneThreadRuns != nil }
        var header = ["batch", "threads", "median", "p90", "items/s", "runs"]
        if adaptive { header.append("on 1 thread") }
        if compared { header += ["ORT median", "ORT p90", "ratio"] }
        var rows = [header]
        for result in results {
            var row = ["\(result.batch)", "\(result.threads)", Formatting.milliseconds(result.medianSeconds),
                       Formatting.milliseconds(result.p90Seconds), String(format: "%.1f", result.itemsPerSecond),
                       "\(result.iterations)"]
            if adaptive { row.append(result.oneThreadRuns.map { "\($0)" } ?? "-") }
            if compared {
                row += [result.onnxRuntime.map { Formatting.milliseconds($0.medianSeconds) } ?? "-",
                        result.onnxRuntime.map { Formatting.milliseconds($0.p90Seconds) } ?? "-",
                        result.ratio.map { String(format: "%.3f", $0) } ?? "-"]
            }
            rows.append(row)
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            lines.append(zip(row, widths).map { Formatting.padded($0, $1) }.joined(separator: "  "))
        }
        if let version = onnxRuntimeVersion {
            lines.append("ratio = Switchyard median / ONNX Runtime \(version) median")
        }
        if let geometricMeanRatio {
            lines.append(String(format: "geometric mean ratio: %.3f", geometricMeanRatio))
        }
        for output in agreement ?? [] {
            lines.append("output '\(output.name)': max abs error \(String(format: "%.3g", output.maxAbsoluteError)), max rel error \(String(format: "%.3g", output.maxRelativeError))"
                         + (output.mismatch.map { " (\($0))" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}
