import CoreMetrics
import Foundation
import Logging
import SwitchyardServing
import Synchronization

/// The server's `InferenceService` when pipelines are served: requests for a pipeline or
/// ensemble of the repository go to its `ServedPipeline`, everything else to the model service
/// (the `ModelManager`), which never sees the pipeline directories (start it with
/// `ModelManagerOptions.isServedElsewhere = ServedPipelineLoader.isPipelineDirectory`).
///
/// The pipeline module sits above the serving core (its model stages call an `InferenceService`),
/// so the composition lives here and `switchyard serve` builds it; the model manager knows
/// nothing of pipelines.
///
/// A served pipeline is ready when it was built and every model it calls is ready; the
/// repository index lists it (version 1) beside the models. Threading: every method may be called
/// concurrently; the table of pipelines is behind a `Mutex`, pipelines run on their own threads.
public final class RoutingInferenceService: InferenceService {
    /// The service of the repository's ONNX models.
    public let models: any InferenceService
    public let repositoryPath: String
    private let registry: ProcessorRegistry
    private let logger: Logger
    private let metricsFactory: (any MetricsFactory)?
    private let state = Mutex(State())

    private enum Entry {
        case ready(ServedPipeline)
        case unavailable(reason: String)
    }

    private struct State {
        var pipelines: [String: Entry] = [:]
        /// The files each pipeline was last built from, so a poll rebuilds only what changed.
        var sources: [String: PipelineSource] = [:]
        /// Names whose directory was found to hold a model, not a pipeline: the request path skips
        /// reading their config again (it cost a file read and a parse per request). Forgotten at
        /// each poll and at a load or unload of the name, when a directory may have changed kind.
        var knownModels: Set<String> = []
        var started = false
        var shuttingDown = false
    }

    /// The bytes of a pipeline directory's spec and config.
    private struct PipelineSource: Equatable {
        var spec: Data?
        var config: Data?

        init(directory: String) {
            spec = FileManager.default.contents(atPath: "\(directory)/\(ServedPipelineLoader.specFileName)")
            config = FileManager.default.contents(atPath: "\(directory)/\(ModelRepository.configFileName)")
        }
    }

    /// - Parameters:
    ///   - registry: the processors pipeline specs may name.
    ///   - metricsFactory: where the pipelines' per-stage metrics go; nil = the global
    ///     `MetricsSystem` (the server's `/metrics`).
    public init(models: any InferenceService, repositoryPath: String, registry: ProcessorRegistry = .builtin,
                logger: Logger, metricsFactory: (any MetricsFactory)? = nil) {
        self.models = models
        self.repositoryPath = repositoryPath
        self.registry = registry
        self.logger = logger
        self.metricsFactory = metricsFactory
    }

    /// The repository's pipeline directories, sorted.
    public func pipelineNames() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: repositoryPath)) ?? []
        return entries.filter { !$0.hasPrefix(".") && ServedPipelineLoader.isPipelineDirectory("\(repositoryPath)/\($0)") }.sorted()
    }

    /// Builds and starts the repository's pipelines (`only`: just those, as `--load-model` names
    /// them in explicit mode), once the model service is ready, so ensembles can be checked
    /// against their members' metadata. A pipeline that fails is listed as unavailable with the
    /// reason; the others serve.
    public func start(only: [String]? = nil) async {
        while !models.isReady, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
        for name in only ?? pipelineNames() where !Task.isCancelled {
            var failure: ServingError?
            if only != nil {
                // Explicit mode: the models it calls are loaded first, as Triton loads an ensemble's.
                do throws(ServingError) { try await loadModel(name: name) } catch { failure = error }
            } else {
                failure = await build(name)
            }
            if let failure {
                logger.error("failed to load pipeline", metadata: ["pipeline": "\(name)", "error": "\(failure.message)"])
            }
        }
        state.withLock { $0.started = true }
    }

    /// One scan of the repository in poll mode: builds pipelines that appeared, rebuilds those
    /// whose spec or config changed (the running one serves until its replacement starts), and
    /// stops those whose directory is gone. Models are the model service's to poll.
    public func poll() async {
        guard !state.withLock({ $0.shuttingDown }) else { return }
        state.withLock { $0.knownModels.removeAll() }
        let present = pipelineNames()
        for name in present {
            let source = PipelineSource(directory: "\(repositoryPath)/\(name)")
            // A pipeline that failed is tried again (a model it calls may have been fixed since);
            // its error is logged again only when it changes.
            let (known, failure) = state.withLock { state -> (PipelineSource?, String?) in
                guard case .unavailable(let reason)? = state.pipelines[name] else { return (state.sources[name], nil) }
                return (state.sources[name], reason)
            }
            guard known != source || failure != nil else { continue }
            if let error = await build(name), error.message != failure {
                logger.error("failed to reload pipeline", metadata: ["pipeline": "\(name)", "error": "\(error.message)"])
            }
        }
        let removed = state.withLock { state -> [(String, Entry)] in
            let gone = state.pipelines.keys.filter { !present.contains($0) }.sorted()
            defer { for name in gone { state.pipelines[name] = nil; state.sources[name] = nil } }
            return gone.compactMap { name in state.pipelines[name].map { (name, $0) } }
        }
        for (name, entry) in removed {
            if case .ready(let served) = entry { await served.shutdown() }
            logger.info("unloaded pipeline", metadata: ["pipeline": "\(name)", "reason": "its directory left the repository"])
        }
    }

    /// Finishes every pipeline's requests in flight and stops its threads.
    public func shutdown() async {
        let running = state.withLock { state -> [ServedPipeline] in
            state.shuttingDown = true
            return state.pipelines.values.compactMap { if case .ready(let served) = $0 { served } else { nil } }
        }
        for served in running { await served.shutdown() }
    }

    /// (Re)builds pipeline `name` from the repository and starts it; returns the error, nil on success.
    private func build(_ name: String) async -> ServingError? {
        let repositoryPath = repositoryPath, registry = registry, models = models, metricsFactory = metricsFactory
        let source = PipelineSource(directory: "\(repositoryPath)/\(name)")
        state.withLock { $0.sources[name] = source }
        let result: Result<(ServedPipeline, EnsembleDefinition?), ServingError> = await Self.onDedicatedThread {
            Result { () throws(ServingError) in
                try ServedPipelineLoader.load(name: name, repositoryPath: repositoryPath, registry: registry,
                                              models: models, metricsFactory: metricsFactory)
            }
        }
        do throws(ServingError) {
            let (served, ensemble) = try result.get()
            if let ensemble {
                var metadata: [String: ModelMetadata] = [:]
                for member in served.members {
                    metadata[member.name] = try? await models.modelMetadata(name: member.name, version: member.version)
                }
                try ensemble.checkMembers(metadata)
            }
            served.start()
            let previous = state.withLock { state -> Entry? in
                defer { state.pipelines[name] = .ready(served) }
                return state.pipelines[name]
            }
            if case .ready(let old)? = previous { await old.shutdown() }
            logger.info("loaded pipeline", metadata: [
                "pipeline": "\(name)", "models": "\(served.members.map(\.name).joined(separator: ", "))",
            ])
            return nil
        } catch {
            state.withLock { $0.pipelines[name] = .unavailable(reason: error.message) }
            return error
        }
    }

    private static func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = "pipeline load"
            thread.start()
        }
    }

    /// The entry of `name` when it is a pipeline of the repository (loaded or not), nil for models.
    private func entry(_ name: String) -> Entry? {
        let (known, isModel) = state.withLock { ($0.pipelines[name], $0.knownModels.contains(name)) }
        if let known { return known }
        if isModel { return nil }
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else { return nil }
        guard ServedPipelineLoader.isPipelineDirectory("\(repositoryPath)/\(name)") else {
            if FileManager.default.fileExists(atPath: "\(repositoryPath)/\(name)") {
                state.withLock { _ = $0.knownModels.insert(name) }
            }
            return nil
        }
        return .unavailable(reason: "pipeline '\(name)' is not loaded")
    }

    /// The running pipeline `name` at `version` (1 or nil), or why it cannot serve.
    private func runningPipeline(_ name: String, version: Int64?, entry: Entry) throws(ServingError) -> ServedPipeline {
        switch entry {
        case .unavailable(let reason):
            throw .unavailable(reason.hasPrefix("pipeline '") ? reason : "pipeline '\(name)' is not loaded: \(reason)")
        case .ready(let served):
            if let version, version != ServedPipeline.version {
                throw .notFound("pipeline '\(name)' has no version \(version) (a pipeline has version \(ServedPipeline.version))")
            }
            return served
        }
    }

    private func membersReady(_ served: ServedPipeline) async -> Bool {
        for member in served.members {
            if await !models.isModelReady(name: member.name, version: member.version) { return false }
        }
        return true
    }

    // MARK: InferenceService

    public var isLive: Bool { models.isLive }

    public var isReady: Bool {
        models.isReady && state.withLock { $0.started && !$0.shuttingDown }
    }

    public var serverMetadata: ServerMetadata { models.serverMetadata }

    public func isModelReady(name: String, version: Int64?) async -> Bool {
        guard let entry = entry(name) else { return await models.isModelReady(name: name, version: version) }
        guard let served = try? runningPipeline(name, version: version, entry: entry) else { return false }
        return await membersReady(served)
    }

    public func modelMetadata(name: String, version: Int64?) async throws(ServingError) -> ModelMetadata {
        guard let entry = entry(name) else { return try await models.modelMetadata(name: name, version: version) }
        let served = try runningPipeline(name, version: version, entry: entry)
        return ModelMetadata(config: served.config, versions: [ServedPipeline.version])
    }

    public func modelConfig(name: String, version: Int64?) async throws(ServingError) -> Inference_ModelConfig {
        guard let entry = entry(name) else { return try await models.modelConfig(name: name, version: version) }
        return try runningPipeline(name, version: version, entry: entry).config
    }

    public func infer(_ request: InferenceRequest) async throws(ServingError) -> InferenceResponse {
        guard let entry = entry(request.modelName) else { return try await models.infer(request) }
        if state.withLock({ $0.shuttingDown }) {
            throw .unavailable("the server is shutting down; pipeline '\(request.modelName)' takes no new requests")
        }
        let served = try runningPipeline(request.modelName, version: request.modelVersion, entry: entry)
        return try await served.infer(request) { await self.membersReady(served) }
    }

    public func statistics(name: String?, version: Int64?) async throws(ServingError) -> [ModelStatistics] {
        if let name, let entry = entry(name) {
            return [try runningPipeline(name, version: version, entry: entry).currentStatistics]
        }
        let modelStatistics = try await models.statistics(name: name, version: version)
        guard name == nil else { return modelStatistics }
        let pipelines = state.withLock { state in
            state.pipelines.keys.sorted().compactMap { key -> ModelStatistics? in
                if case .ready(let served)? = state.pipelines[key] { return served.currentStatistics }
                return nil
            }
        }
        return (modelStatistics + pipelines).sorted { $0.name < $1.name }
    }

    public func repositoryIndex(readyOnly: Bool) async -> [RepositoryIndexEntry] {
        var entries = await models.repositoryIndex(readyOnly: readyOnly)
        for name in pipelineNames() {
            switch entry(name) {
            case .ready(let served)?:
                if await membersReady(served) {
                    entries.append(.init(name: name, version: String(ServedPipeline.version), state: "READY", reason: ""))
                } else if !readyOnly {
                    entries.append(.init(name: name, version: String(ServedPipeline.version), state: "UNAVAILABLE",
                                         reason: "a model it calls is not ready (\(served.members.map(\.name).joined(separator: ", ")))"))
                }
            case .unavailable(let reason)?:
                if !readyOnly { entries.append(.init(name: name, version: "", state: "UNAVAILABLE", reason: reason)) }
            case nil:
                break
            }
        }
        return entries.sorted { ($0.name, $0.version) < ($1.name, $1.version) }
    }

    /// A pipeline: loads the models it calls (explicit mode), then rebuilds it from the
    /// repository. A model: the model service's load.
    public func loadModel(name: String) async throws(ServingError) {
        state.withLock { _ = $0.knownModels.remove(name) }
        guard entry(name) != nil else { return try await models.loadModel(name: name) }
        if case .ready(let served)? = state.withLock({ $0.pipelines[name] }) {
            for member in served.members { try await models.loadModel(name: member.name) }
        } else if let members = try? ServedPipelineLoader.memberNames(name: name, repositoryPath: repositoryPath) {
            for member in members { try await models.loadModel(name: member) }
        }
        if let error = await build(name) { throw error }
    }

    /// A pipeline: finishes its requests in flight and stops it (its models stay loaded).
    public func unloadModel(name: String) async throws(ServingError) {
        state.withLock { _ = $0.knownModels.remove(name) }
        guard let entry = entry(name) else { return try await models.unloadModel(name: name) }
        state.withLock { $0.pipelines[name] = .unavailable(reason: "pipeline '\(name)' was unloaded by request") }
        if case .ready(let served) = entry { await served.shutdown() }
    }
}
