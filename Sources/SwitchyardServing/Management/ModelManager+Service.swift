import Logging
import ServiceLifecycle

extension ModelManager: Service {
    /// Loads the start-up models, then (poll mode) watches the repository until graceful
    /// shutdown, then stops taking requests and finishes queued and in-flight ones, waiting at
    /// most `options.shutdownTimeoutSeconds`.
    public func run() async throws {
        await start()
        if options.controlMode == .poll {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                try? await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .seconds(self.options.pollIntervalSeconds))
                }
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
                await pollRepository()
            }
        } else {
            try? await gracefulShutdown()
        }
        await shutdown()
    }

    /// Loads the start-up models and reports ready.
    func start() async {
        await loadAtStartup()
        status.withLock { $0.started = true }
        logger.info("model manager ready", metadata: [
            "models": "\(records.filter { $0.value.loaded != nil }.keys.sorted().joined(separator: ", "))",
            "control-mode": "\(options.controlMode.rawValue)", "residency": "\(options.residency.rawValue)",
            "memory-budget": "\(options.memoryBudget)", "threads": "\(options.threads)",
        ])
    }

    /// Stops taking requests and unloads every model after finishing its queued and in-flight
    /// requests, bounded by the shutdown timeout.
    public func shutdown() async {
        status.withLock { $0.shuttingDown = true }
        let names = records.keys.sorted()
        logger.info("shutting down: finishing queued and in-flight requests", metadata: ["models": "\(names.count)"])
        let timeout = options.shutdownTimeoutSeconds
        let finished = await Deadline.finishes(within: .seconds(timeout)) {
            for name in names { await self.unload(name, reason: "server shut down", isEviction: false) }
        }
        if !finished {
            logger.warning("shutdown timeout passed with requests still running", metadata: ["seconds": "\(timeout)"])
        }
    }

    /// The models the control mode loads at start: all of the repository's (`none`, `poll`) or
    /// the `--load-model` ones (`explicit`). On-demand residency loads none of the former until
    /// a request asks.
    private func loadAtStartup() async {
        let available = repository.availableModelNames()
        for name in available where records[name] == nil { records[name] = ModelRecord() }
        var toLoad: [String]
        switch options.controlMode {
        case .none, .poll: toLoad = options.residency == .resident ? available : []
        case .explicit: toLoad = options.startupModels
        }
        for name in toLoad where !repository.contains(model: name) {
            logger.error("--load-model names a model that is not in the repository",
                         metadata: ["model": "\(name)", "repository": "\(options.repositoryPath)"])
            records[name] = nil
        }
        toLoad = toLoad.filter { repository.contains(model: $0) }
        let tasks = toLoad.map { startLoad($0) }
        for task in tasks { _ = await task.value }
    }

    /// Poll mode: loads new models, unloads removed ones, reloads changed ones (new versions or
    /// an edited config) without dropping in-flight requests, retries failed ones that changed.
    func pollRepository() async {
        let names = Set(repository.availableModelNames())
        for name in records.keys.sorted() where !names.contains(name) {
            await unload(name, reason: "removed from the repository", isEviction: false)
            records[name] = nil
        }
        for name in names.sorted() {
            guard let record = records[name] else {
                records[name] = ModelRecord()
                if options.residency == .resident { _ = startLoad(name) }
                continue
            }
            guard let fingerprint = repository.currentFingerprint(of: name) else { continue }
            switch record.state {
            case .ready(let loaded) where loaded.fingerprint != fingerprint && record.failedFingerprint != fingerprint:
                _ = await reload(name, replacing: loaded)
            case .unavailable(let reason) where !reason.isEmpty && record.failedFingerprint != fingerprint:
                if options.residency == .resident || record.residency.loadCount > 0 { _ = startLoad(name) }
                else { setState(.unavailable(reason: ""), of: name) }
            default:
                break
            }
        }
    }

    /// Loads the new state of `name` beside the old, switches requests to it, then drains the
    /// old versions. When the new load fails the old versions keep serving and the error is
    /// returned.
    func reload(_ name: String, replacing old: LoadedModelVersions) async -> ServingError? {
        logger.info("model changed in the repository: reloading", metadata: ["model": "\(name)"])
        do throws(ServingError) {
            var loaded = try await ModelVersionLoader.load(name: name, repository: repository,
                                                           threads: options.threads, cores: options.inferenceCores, metricsFactory: options.metricsFactory,
                                                           logger: logger, onNewShapes: budgetCheck(for: name))
            loaded.generation = nextGeneration
            nextGeneration += 1
            setState(.ready(loaded), of: name)
            records[name]?.residency.loadCount += 1
            records[name]?.residency.bytes = UInt64(loaded.bytes)
            await drain(old, of: name)
            records[name]?.residency.unloadCount += 1
            ProcessMemory.releaseFreedMemory()
            return nil
        } catch {
            logger.error("reload failed; the loaded versions keep serving",
                         metadata: ["model": "\(name)", "error": "\(error.message)"])
            records[name]?.failedFingerprint = repository.currentFingerprint(of: name)
            return error
        }
    }
}
