import ArgumentParser
import Foundation
import Logging
import SwitchyardPipeline
import SwitchyardServing

/// `switchyard pipeline run SPEC.yaml`: runs a pipeline to the end of its input in this process,
/// its model stages served by an in-process `ModelManager` on the spec's repository.
struct PipelineRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline spec until its sources end, writing events; print a summary.",
        discussion: """
        A progress line (frames, frames/s, queue depths, drops) is shown while standard error is a \
        terminal. SIGINT or SIGTERM stops the sources; what is already queued still drains to the sinks.
        """
    )

    @Argument(help: ArgumentHelp("The pipeline spec (YAML).", valueName: "SPEC.yaml"))
    var spec: String

    @Option(help: ArgumentHelp("Replaces the path of the spec's image or video source (a folder, glob, video file or URL).", valueName: "PATH"))
    var source: String?

    @Option(help: ArgumentHelp("Write events to this SQLite file (replaces the path of the spec's events sinks, or adds one).", valueName: "DB"))
    var events: String?

    @Option(help: ArgumentHelp("Write events to this JSON Lines file (replaces the path of the spec's jsonl sinks, or adds one).", valueName: "FILE"))
    var jsonl: String?

    @Flag(help: "Continue after the last frame the events database committed, appending to it.")
    var resume = false

    @Option(help: "CPU threads for the models' inference in total (default: the number of cores).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("Least severe log level written.", valueName: "trace|debug|info|notice|warning|error|critical"))
    var logLevel: Logger.Level = .warning

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "switchyard.pipeline")
        do {
            var loaded = try SpecLoader.load(contentsOf: spec)
            var sinks: [String: any EventSink] = [:]
            if let events {
                for name in try attachSink(kind: .events, to: &loaded) {
                    sinks[name] = try SQLiteEventSink(path: events, pipeline: loaded.spec.name, resume: resume)
                }
            }
            if let jsonl {
                for name in try attachSink(kind: .jsonl, to: &loaded) {
                    sinks[name] = try JSONLinesSink(path: jsonl, append: resume)
                }
            }
            let manager = try await startModels(for: loaded, logger: logger)
            let pipeline = try Pipeline(loaded, registry: .builtin, service: manager, sinks: sinks,
                                        options: PipelineOptions(resume: resume, sourcePath: source))
            let signals = StopSignals { pipeline.stop() }
            let progress = isatty(STDERR_FILENO) == 1 ? ProgressLine(pipeline: pipeline) : nil
            progress?.start()
            let summary = await pipeline.run()
            progress?.stop()
            signals.cancel()
            await manager?.shutdown()
            print(SummaryReport(pipeline: loaded.spec.name, summary: summary).text)
            if !summary.runErrors.isEmpty { throw ExitCode(1) }
        } catch let error as PipelineError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The sink stages of `kind` the command-line file replaces; when the spec has none, adds one
    /// fed by the same stages as the spec's first sink.
    private func attachSink(kind: SinkKind, to loaded: inout SpecLoader.Loaded) throws(PipelineError) -> [String] {
        let existing = loaded.spec.stages.filter { $0.sinkKind == kind }.map(\.name)
        if !existing.isEmpty { return existing }
        guard let first = loaded.spec.stages.first(where: { $0.type == .sink }) else {
            throw PipelineError("\(spec): the pipeline has no sink stage to take the \(kind.rawValue) sink's inputs from")
        }
        var name = kind.rawValue
        while loaded.spec.stage(name) != nil { name += "-cli" }
        loaded.spec.stages.append(StageSpec(name: name, type: .sink, inputs: first.inputs, queue: first.queue, kind: kind.rawValue))
        return [name]
    }

    /// A model manager on the spec's repository with just the spec's models loaded (explicit
    /// mode); nil when the pipeline has no model stage.
    private func startModels(for loaded: SpecLoader.Loaded, logger: Logger) async throws -> ModelManager? {
        let models = loaded.spec.modelNames
        guard !models.isEmpty, let repository = loaded.spec.repository else { return nil }
        let path = repository.hasPrefix("/") ? repository
            : ((loaded.baseDirectory as NSString).appendingPathComponent(repository) as NSString).standardizingPath
        do throws(ServingError) {
            let manager = try ModelManager(options: ModelManagerOptions(
                repositoryPath: path, controlMode: .explicit, startupModels: models, threads: threads), logger: logger)
            for model in models { try await manager.loadModel(name: model) }
            return manager
        } catch {
            throw PipelineError("\(spec): repository \(path): \(error.message)")
        }
    }
}
