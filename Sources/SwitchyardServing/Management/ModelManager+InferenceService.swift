extension ModelManager: InferenceService {
    /// Switchyard's version, reported by `GET /v2`.
    public static let serverVersion = "0.3.0"

    public nonisolated var isLive: Bool { true }

    /// Ready once the start-up loads have finished (a model that failed to load is reported in
    /// the repository index and does not hold the others back) and until shutdown begins.
    public nonisolated var isReady: Bool {
        status.withLock { $0.started && !$0.shuttingDown }
    }

    public nonisolated var serverMetadata: ServerMetadata {
        ServerMetadata(name: "switchyard", version: Self.serverVersion, extensions: [
            "binary_tensor_data", "model_configuration", "model_repository", "model_repository(unload_dependents)",
            "schedule_policy", "statistics",
        ])
    }

    public func isModelReady(name: String, version: Int64?) async -> Bool {
        guard let loaded = records[name]?.loaded else { return false }
        guard let version else { return !loaded.versions.isEmpty }
        return loaded.versions[version] != nil
    }

    public func modelMetadata(name: String, version: Int64?) async throws(ServingError) -> ModelMetadata {
        let loaded = try readyModel(name, version: version)
        var metadata = ModelMetadata(config: loaded.config, versions: version.map { [$0] } ?? loaded.versions.keys.sorted())
        metadata.name = name
        return metadata
    }

    public func modelConfig(name: String, version: Int64?) async throws(ServingError) -> Inference_ModelConfig {
        try readyModel(name, version: version).config
    }

    /// Leases the model without entering the actor when it is ready (see `lease`), then waits
    /// for its batcher.
    public nonisolated func infer(_ request: InferenceRequest) async throws(ServingError) -> InferenceResponse {
        let lease = try await lease(name: request.modelName, version: request.modelVersion,
                                    timeoutMicroseconds: request.timeoutMicroseconds)
        defer { readyModels.release(lease) }
        return try await lease.model.infer(request)
    }

    public func statistics(name: String?, version: Int64?) async throws(ServingError) -> [ModelStatistics] {
        if let name {
            guard let record = records[name] else {
                throw .notFound("unknown model '\(name)': it is not in the model repository")
            }
            guard let loaded = record.loaded else { return [] }
            if let version, loaded.versions[version] == nil {
                throw .notFound("model '\(name)' has no loaded version \(version)")
            }
            return statistics(of: loaded, record: record, onlyVersion: version)
        }
        return records.keys.sorted().flatMap { key -> [ModelStatistics] in
            guard let record = records[key], let loaded = record.loaded else { return [] }
            return statistics(of: loaded, record: record, onlyVersion: nil)
        }
    }

    public func repositoryIndex(readyOnly: Bool) async -> [RepositoryIndexEntry] {
        let names = Set(repository.availableModelNames()).union(records.keys).sorted()
        var entries: [RepositoryIndexEntry] = []
        for name in names {
            let record = records[name] ?? ModelRecord()
            if let loaded = record.loaded {
                for version in loaded.versions.keys.sorted() {
                    entries.append(.init(name: name, version: String(version), state: "READY", reason: ""))
                }
            } else if !readyOnly {
                entries.append(.init(name: name, version: "", state: record.stateName, reason: record.reason))
            }
        }
        return entries
    }

    public func loadModel(name: String) async throws(ServingError) {
        try requireExplicitControl("load")
        guard repository.contains(model: name) else {
            throw .notFound("cannot load model '\(name)': it is not in the model repository \(options.repositoryPath)")
        }
        if let loaded = records[name]?.loaded {
            if let error = await reload(name, replacing: loaded) { throw error }
            return
        }
        if let error = await startLoad(name).value { throw error }
    }

    public func unloadModel(name: String) async throws(ServingError) {
        try requireExplicitControl("unload")
        guard records[name] != nil else {
            throw .notFound("cannot unload model '\(name)': it is not in the model repository")
        }
        await unload(name, reason: "unloaded by request", isEviction: false)
    }

    private func requireExplicitControl(_ action: String) throws(ServingError) {
        guard options.controlMode == .explicit else {
            throw .unavailable("explicit model \(action) is not allowed in model control mode '\(options.controlMode.rawValue)': start the server with --model-control-mode explicit")
        }
    }

    /// The ready model `name` (checking `version` if given).
    private func readyModel(_ name: String, version: Int64?) throws(ServingError) -> LoadedModelVersions {
        guard let record = records[name] else {
            throw .notFound("unknown model '\(name)': it is not in the model repository")
        }
        guard let loaded = record.loaded else {
            let why = record.reason.isEmpty ? "" : ": \(record.reason)"
            throw .unavailable("model '\(name)' is not loaded\(why)")
        }
        if let version, loaded.versions[version] == nil {
            let available = loaded.versions.keys.sorted().map(String.init).joined(separator: ", ")
            throw .notFound("model '\(name)' has no version \(version) loaded (loaded: \(available))")
        }
        return loaded
    }

    private func statistics(of loaded: LoadedModelVersions, record: ModelRecord, onlyVersion: Int64?) -> [ModelStatistics] {
        loaded.versions.keys.sorted().compactMap { version -> ModelStatistics? in
            if let onlyVersion, onlyVersion != version { return nil }
            guard let served = loaded.versions[version] else { return nil }
            var statistics = served.statistics
            statistics.residency = record.residency
            statistics.residency.bytes = UInt64(served.memoryBytes)
            return statistics
        }
    }
}
