import Foundation
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

/// When a measurement stops: after a number of runs, or once a time budget is spent (at least
/// one run either way).
enum StopRule: Sendable, Equatable {
    case iterations(Int)
    case seconds(Double)

    func wantsMore(samples: Int, elapsed: Double) -> Bool {
        switch self {
        case .iterations(let count): samples < max(count, 1)
        case .seconds(let budget): samples == 0 || elapsed < budget
        }
    }

    /// How many runs the next block should have: `preferred`, but never past an iteration count.
    func blockLength(after samples: Int, preferred: Int) -> Int {
        switch self {
        case .iterations(let count): max(1, min(preferred, max(count, 1) - samples))
        case .seconds: preferred
        }
    }
}

/// Runs the benchmark: per (batch, threads), warm-up runs then timed runs of the same seeded
/// inputs. With ONNX Runtime, short blocks of Switchyard runs alternate with blocks of ORT runs,
/// so both see the same machine noise; a pause between blocks lets the other side's idle threads
/// stop spinning (ORT's intra-op pool spins after each run by default), so neither is charged for
/// the other's spin-wait. Call `run` on a dedicated thread.
struct BenchRunner: Sendable {
    var model: Model
    var modelPath: String
    var givenShapes: [String: [Int]]
    var batches: [Int]
    var threads: [Int]
    var warmup: Int
    var stop: StopRule
    var compareWithONNXRuntime: Bool
    var seed: UInt64 = 1
    /// Report where Switchyard's time goes (per op type and slowest nodes) after each configuration.
    var profile = false
    /// Rows in each table of that report.
    var profileRows = 15
    /// How the engine runs a QDQ model's quantized layers.
    var quantizedExecution: QuantizedExecution = .automatic
    /// Pause between blocks: longer than ORT's and OpenMP's spin-wait after a run.
    var cooldownSeconds = 0.05
    /// Whether a session with several threads may run on one where that is faster
    /// (`SessionOptions.adaptsThreads`); off, every run uses all of them.
    var adaptsThreads = true
    /// Idle time after each of Switchyard's timed runs (0: none), as between the frames of a
    /// camera: the next run starts with the machine's cores gone idle.
    var idleSecondsBetweenRuns = 0.0

    /// Runs per block on each side.
    static let blockLength = 5

    func run(progress: (String) -> Void) throws -> BenchReport {
        var inputsByBatch: [Int: (shapes: [String: [Int]], tensors: [String: Tensor])] = [:]
        for batch in batches {
            let shapes = try InputShapes.resolve(model.graph.inputs, given: givenShapes, batch: batch)
            inputsByBatch[batch] = (shapes, RandomInputs.make(for: model.graph.inputs, shapes: shapes, seed: seed))
        }

        var worker: ORTWorker?
        var scratch: String?
        defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }
        var inputFiles: [Int: [String: String]] = [:]
        if compareWithONNXRuntime {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-bench-\(UUID().uuidString)").path
            scratch = directory
            for (batch, inputs) in inputsByBatch {
                inputFiles[batch] = try Self.writeInputs(inputs.tensors, to: directory + "/batch-\(batch)")
            }
            let cwd = FileManager.default.currentDirectoryPath
            let script = try ORTWorker.script(workingDirectory: cwd, executable: Bundle.main.executablePath ?? CommandLine.arguments[0])
            let python = try ORTWorker.python(environment: ProcessInfo.processInfo.environment, workingDirectory: cwd, scriptPath: script)
            worker = try ORTWorker(python: python, script: script)
        }

        var results: [BenchReport.Result] = []
        var agreement: [OutputAgreement]?
        // Loaded (optimized) once; each thread count gets its own session over it.
        let loaded = try LoadedModel(model: model, options: LoadOptions(quantizedExecution: quantizedExecution))
        for threadCount in threads {
            let stepProfile = profile ? StepProfile() : nil
            let session = try Session(model: loaded, options: SessionOptions(threads: threadCount, profile: stepProfile,
                                                                        adaptsThreads: adaptsThreads))
            try worker?.load(model: modelPath, threads: threadCount)
            for batch in batches {
                let inputs = inputsByBatch[batch]!
                if let worker, let files = inputFiles[batch] { try worker.setInputs(files) }
                progress("batch \(batch), threads \(threadCount): warming up")
                for _ in 0..<warmup {
                    _ = try session.run(inputs.tensors)
                    _ = try worker?.timedRun()
                }
                if let worker, agreement == nil, let scratch {
                    agreement = try Self.compareOutputs(session: session, inputs: inputs.tensors, worker: worker, directory: scratch)
                }
                stepProfile?.reset()
                progress("batch \(batch), threads \(threadCount): measuring")
                var ours: [Double] = []
                var theirs: [Double] = []
                let oneThreadRunsBefore = session.runWidthCounts.oneThread
                let clock = ContinuousClock()
                let start = clock.now
                repeat {
                    let block = stop.blockLength(after: ours.count, preferred: Self.blockLength)
                    for _ in 0..<block {
                        let before = clock.now
                        _ = try session.run(inputs.tensors)
                        ours.append(Self.seconds(clock.now - before))
                        if idleSecondsBetweenRuns > 0 { Thread.sleep(forTimeInterval: idleSecondsBetweenRuns) }
                    }
                    if let worker {
                        Thread.sleep(forTimeInterval: cooldownSeconds)
                        for _ in 0..<block { theirs.append(try worker.timedRun()) }
                        Thread.sleep(forTimeInterval: cooldownSeconds)
                    }
                } while stop.wantsMore(samples: ours.count, elapsed: Self.seconds(clock.now - start))
                var result = Self.result(batch: batch, threads: threadCount, shapes: inputs.shapes, ours: ours, theirs: theirs)
                if session.choosesThreads {
                    result.oneThreadRuns = session.runWidthCounts.oneThread - oneThreadRunsBefore
                }
                results.append(result)
                if let stepProfile { progress(StepProfileReport.text(stepProfile, runs: ours.count, rows: profileRows)) }
            }
        }
        results.sort { ($0.batch, $0.threads) < ($1.batch, $1.threads) }
        let ratios = results.compactMap(\.ratio)
        return BenchReport(model: modelPath, results: results,
                           geometricMeanRatio: ratios.isEmpty ? nil : Statistics.geometricMean(ratios),
                           onnxRuntimeVersion: worker?.version, agreement: agreement)
    }

    /// The statistics of one configuration's samples (ONNX Runtime's when `theirs` has any).
    static func result(batch: Int, threads: Int, shapes: [String: [Int]], ours: [Double], theirs: [Double]) -> BenchReport.Result {
        let median = Statistics.median(ours)
        var result = BenchReport.Result(batch: batch, threads: threads, inputShapes: shapes, iterations: ours.count,
                                        medianSeconds: median, p90Seconds: Statistics.percentile(ours, 90),
                                        itemsPerSecond: Double(batch) / median)
        if !theirs.isEmpty {
            let theirMedian = Statistics.median(theirs)
            result.onnxRuntime = BenchReport.Timing(medianSeconds: theirMedian, p90Seconds: Statistics.percentile(theirs, 90))
            result.ratio = median / theirMedian
        }
        return result
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Writes each input as `directory/<file-safe name>.npy`; returns the paths by input name.
    private static func writeInputs(_ tensors: [String: Tensor], to directory: String) throws(CLIError) -> [String: String] {
        try ModelFile.createDirectory(directory)
        let names = tensors.keys.sorted()
        var paths: [String: String] = [:]
        for (name, fileName) in zip(names, FileSafeName.unique(names)) {
            let path = directory + "/" + fileName + ".npy"
            try ModelFile.writeNpy(tensors[name]!, to: path)
            paths[name] = path
        }
        return paths
    }

    private static func compareOutputs(
        session: Session, inputs: [String: Tensor], worker: ORTWorker, directory: String
    ) throws -> [OutputAgreement] {
        let ours = try session.run(inputs)
        let outputDirectory = directory + "/ort-outputs"
        try ModelFile.createDirectory(outputDirectory)
        let files = try worker.writeOutputs(to: outputDirectory)
        return try session.outputs.map(\.name).compactMap { name throws -> OutputAgreement? in
            guard let mine = ours[name], let path = files[name] else { return nil }
            return OutputAgreement.compare(name: name, ours: mine, theirs: try ModelFile.readNpy(path))
        }
    }
}
