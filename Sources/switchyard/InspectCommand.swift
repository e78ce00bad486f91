import Foundation
import ArgumentParser
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardServing

/// `switchyard inspect MODEL [--shape NAME=…] [--json]`.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a model: versions, inputs and outputs, operators, weights, and FLOPs and peak activation memory at given input shapes."
    )

    @Argument(help: "The .onnx model file.")
    var model: String

    @Option(name: .customLong("shape"), help: ArgumentHelp("Concrete shape of an input, for FLOPs and memory (repeatable). A free batch axis defaults to 1.", valueName: "NAME=1x3x640x640"),
            transform: { try ShapeAssignment.parse($0) })
    var shapes: [ShapeAssignment] = []

    @Option(help: ArgumentHelp("Profile batch sizes 1, 2, 4, … up to MAX as the server's batcher does when it loads the model, and print the batch limit it would choose (non-batch dims from --shape).", valueName: "MAX"))
    var batchProfile: Int?

    @Option(help: "Threads for the batch profile.")
    var threads = 1

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        if let batchProfile, batchProfile < 1 { throw ValidationError("--batch-profile must be at least 1, got \(batchProfile)") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// What `inspect` prints: the static summary and, when the shapes are known and the model
    /// runs, its cost.
    struct Report: Encodable {
        var model: ModelSummary
        var cost: CostProfile?
        /// Why no cost was measured.
        var costUnavailable: String?
        /// The batcher's load-time profile, with `--batch-profile`.
        var batchProfile: BatchProfileReport?
        /// Whether a batch runs as one piece per thread (`BatchSeparability`): "yes", or why not.
        var batchSplit: String?
        /// Operators of the optimized graph the engine runs, a fused activation named after a
        /// `+` (`QLinearConv+Swish`): which layers of a QDQ model run as int8 kernels.
        var engineOperators: [String: Int]?
    }

    /// `BatchProfile` for printing.
    struct BatchProfileReport: Encodable {
        struct Row: Encodable {
            var batchSize: Int
            var millisecondsPerBatch: Double
            var itemsPerSecond: Double
        }
        var rows: [Row]
        var chosenBatchSize: Int
        var reason: String
    }

    func run() throws {
        let loaded = try ModelFile.load(model)
        var report = try Self.report(for: loaded, shapes: try shapes.byName())
        if let batchProfile {
            report.batchProfile = try Self.batchProfile(of: loaded, maxBatchSize: batchProfile, shapes: try shapes.byName(), threads: threads)
        }
        print(json ? try Formatting.json(report) : Self.text(report, path: model))
    }

    /// Profiles batch sizes as the server's batcher does at load: the non-batch dims of each
    /// input come from `shapes` (its first dim is the batch dim and is ignored).
    static func batchProfile(of model: Model, maxBatchSize: Int, shapes: [String: [Int]], threads: Int) throws -> BatchProfileReport {
        let loaded = try LoadedModel(model: model)
        let dims = shapes.mapValues { $0.dropFirst().map(Int64.init) }
        let profile = try DedicatedThread.run {
            try BatchProfile.measure(model: loaded, maxBatchSize: maxBatchSize, inputDims: dims, threads: threads)
        }
        return BatchProfileReport(
            rows: profile.measurements.map { .init(batchSize: $0.batchSize, millisecondsPerBatch: $0.millisecondsPerBatch,
                                                   itemsPerSecond: $0.itemsPerSecond) },
            chosenBatchSize: profile.chosenBatchSize, reason: profile.reason)
    }

    /// Builds the report. Shapes the user gave must fit the model (else an error); when none
    /// were given and some input has a free dimension, the cost is reported as unavailable.
    static func report(for model: Model, shapes: [String: [Int]]) throws -> Report {
        var report = Report(model: ModelSummary(model))
        let loaded = try? DedicatedThread.run { () throws -> (split: String, operators: [String: Int]) in
            let loaded = try LoadedModel(model: model)
            let split = switch loaded.batchSeparability {
            case .separable: "yes"
            case .notSeparable(let reason): "no: " + reason
            }
            return (split, Self.engineOperators(loaded.graph))
        }
        report.batchSplit = loaded?.split
        report.engineOperators = loaded?.operators
        let resolved: [String: [Int]]
        switch Result(catching: { () throws(CLIError) in try InputShapes.resolve(model.graph.inputs, given: shapes) }) {
        case .success(let value): resolved = value
        case .failure(let error) where shapes.isEmpty:
            report.costUnavailable = error.description
            return report
        case .failure(let error): throw error
        }
        do {
            report.cost = try DedicatedThread.run { try CostProfiler.profile(model, inputShapes: resolved) }
        } catch {
            report.costUnavailable = "the model did not run at these shapes: \(error)"
        }
        return report
    }

    /// Op counts of an optimized graph; a node with a fused `activation` counts as `OP+ACTIVATION`.
    static func engineOperators(_ graph: Graph) -> [String: Int] {
        var counts: [String: Int] = [:]
        for node in graph.nodes {
            if case .string(let activation)? = node.attributes["activation"] {
                counts[node.opType + "+" + activation, default: 0] += 1
            } else {
                counts[node.opType, default: 0] += 1
            }
        }
        return counts
    }

    static func text(_ report: Report, path: String) -> String {
        let summary = report.model
        var lines = [path]
        lines.append("  IR version \(summary.irVersion)" + (summary.producer.isEmpty ? "" : ", producer \(summary.producer)"))
        lines.append("  opsets: " + summary.opsets.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        if !summary.metadataKeys.isEmpty { lines.append("  metadata: " + summary.metadataKeys.joined(separator: ", ")) }
        for (title, values) in [("inputs", summary.inputs), ("outputs", summary.outputs)] {
            lines.append("\(title):")
            let width = values.map(\.name.count).max() ?? 0
            for value in values {
                let dims = value.dims.map { "[" + $0.joined(separator: ", ") + "]" } ?? "(rank unknown)"
                lines.append("  \(Formatting.padded(value.name, width))  \(value.dtype) \(dims)")
            }
        }
        lines.append("operators (\(summary.nodeCount) nodes, subgraphs included):")
        let counts = summary.opCounts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        lines.append("  " + counts.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("parameters: \(Formatting.count(summary.parameterCount)) (\(Formatting.bytes(summary.weightBytes)) of weights)")
        if let precision = summary.precision { lines.append("precision: \(precision)") }
        if let cost = report.cost {
            let shapes = cost.inputShapes.sorted { $0.key < $1.key }.map { "\($0.key)=\(Formatting.shape($0.value))" }
            lines.append("at \(shapes.joined(separator: " ")):")
            let top = cost.flopsByOpType.filter { $0.value > 0 }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(5)
            lines.append("  FLOPs: \(Formatting.count(cost.flops))"
                         + (top.isEmpty ? "" : " (" + top.map { "\($0.key) \(Formatting.count($0.value))" }.joined(separator: ", ") + ")"))
            lines.append("  peak activations: \(Formatting.bytes(cost.peakActivationBytes))"
                         + (cost.engineArenaBytes.map { " (engine arena for the optimized model: \(Formatting.bytes($0)))" } ?? ""))
        } else if let reason = report.costUnavailable {
            lines.append("FLOPs and memory: unavailable: \(reason)")
        }
        if let operators = report.engineOperators {
            let counts = operators.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            lines.append("engine runs (optimized graph, \(operators.values.reduce(0, +)) nodes):")
            lines.append("  " + counts.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if let split = report.batchSplit {
            lines.append("batch split over threads (each item computed alone): \(split)")
        }
        if let profile = report.batchProfile {
            lines.append("batch profile (as the server's batcher measures it at load):")
            for row in profile.rows {
                lines.append("  batch \(row.batchSize): \(Formatting.milliseconds(row.millisecondsPerBatch / 1000)) per batch, \(String(format: "%.1f", row.itemsPerSecond)) items/s")
            }
            lines.append("  chosen batch limit: \(profile.chosenBatchSize) (\(profile.reason))")
        }
        return lines.joined(separator: "\n")
    }
}
