import ArgumentParser
import SwitchyardEngine
import Foundation

/// `switchyard bench MODEL [--shape …] [--batch 1,4,8] [--threads 1,2] [--warmup N]
/// [--iterations N | --seconds S] [--compare-onnxruntime] [--json]`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time a model on seeded random inputs per batch size and thread count, optionally against ONNX Runtime.",
        discussion: """
        A free dimension 0 takes each --batch size; other free dimensions need --shape. Runs happen on a \
        dedicated thread. With --compare-onnxruntime, a Python worker (scripts/ort_worker.py, run with \
        $SWITCHYARD_PYTHON or .venv/bin/python) runs the same inputs in ONNX Runtime, alternating run by run.
        """
    )

    @Argument(help: "The .onnx model file.")
    var model: String

    @Option(name: .customLong("shape"), help: ArgumentHelp("Concrete shape of an input (repeatable); a free axis 0 is replaced by each batch size.", valueName: "NAME=1x3x640x640"),
            transform: { try ShapeAssignment.parse($0) })
    var shapes: [ShapeAssignment] = []

    @Option(help: ArgumentHelp("Batch sizes for a free dimension 0.", valueName: "1,4,8"), transform: { try PositiveIntList.parse($0) })
    var batch: [Int]?

    @Option(help: ArgumentHelp("Thread counts.", valueName: "1,2"), transform: { try PositiveIntList.parse($0) })
    var threads: [Int] = [1]

    @Option(help: "Untimed runs before measuring each configuration.")
    var warmup = 3

    @Option(help: "Timed runs per configuration (default 20).")
    var iterations: Int?

    @Option(help: "Time budget per configuration, in seconds (instead of --iterations).")
    var seconds: Double?

    @Option(help: "Seed of the random inputs.")
    var seed: UInt64 = 1

    @Flag(name: .customLong("compare-onnxruntime"), help: "Also time ONNX Runtime on the same inputs and check the outputs agree.")
    var compareONNXRuntime = false

    @Flag(help: "After each configuration, print (to stderr) Switchyard's time per op type and its slowest nodes.")
    var profile = false

    @Option(name: .customLong("profile-rows"), help: "Rows in each table --profile prints.")
    var profileRows = 15

    @Option(help: "Quantized (QDQ) layers: automatic (int8 where it is faster on this CPU), integer or float.")
    var int8: QuantizedExecution = .automatic

    @Option(name: .customLong("idle-ms"), help: "Idle time after each timed run, in milliseconds, as between a camera's frames (default 0).")
    var idleMs = 0.0

    @Flag(name: .customLong("fixed-threads"), help: "Run every run on all --threads, instead of letting a session take one thread where runs of the same shapes were measured faster that way.")
    var fixedThreads = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "With --compare-onnxruntime: pause between the two sides' blocks of runs, in milliseconds, so the other side's idle threads have stopped spinning.")
    var cooldownMs = 50.0

    func validate() throws {
        guard idleMs >= 0 else { throw ValidationError("--idle-ms must be at least 0, got \(idleMs)") }
        guard cooldownMs >= 0 else { throw ValidationError("--cooldown-ms must be at least 0, got \(cooldownMs)") }
        if iterations != nil && seconds != nil {
            throw ValidationError("give --iterations or --seconds, not both")
        }
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be at least 1, got \(iterations)") }
        if let seconds, !(seconds > 0) { throw ValidationError("--seconds must be positive, got \(seconds)") }
        if warmup < 0 { throw ValidationError("--warmup cannot be negative, got \(warmup)") }
        if profileRows < 1 { throw ValidationError("--profile-rows must be at least 1, got \(profileRows)") }
    }

    /// How each configuration's measurement ends.
    var stopRule: StopRule {
        if let seconds { return .seconds(seconds) }
        return .iterations(iterations ?? 20)
    }

    func run() throws {
        let loaded = try ModelFile.load(model)
        let runner = BenchRunner(
            model: loaded, modelPath: model, givenShapes: try shapes.byName(),
            batches: try InputShapes.batchSizes(requested: batch, for: loaded.graph.inputs),
            threads: threads, warmup: warmup, stop: stopRule, compareWithONNXRuntime: compareONNXRuntime, seed: seed,
            profile: profile, profileRows: profileRows, quantizedExecution: int8, cooldownSeconds: cooldownMs / 1000,
            adaptsThreads: !fixedThreads, idleSecondsBetweenRuns: idleMs / 1000
        )
        let quiet = json
        let report = try DedicatedThread.run {
            try runner.run { message in
                if !quiet { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            }
        }
        print(json ? try Formatting.json(report) : report.text)
    }
}

extension QuantizedExecution: ExpressibleByArgument {}
