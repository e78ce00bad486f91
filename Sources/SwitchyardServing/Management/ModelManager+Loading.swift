import Foundation
import Logging
import Metrics

extension ModelManager {
    /// Starts loading `name` (after any load already running) and marks it loading. The task
    /// ends with the load's error, nil on success.
    ///
    /// The task does not return the loaded versions: a finished task keeps its result as long as
    /// anyone holds it (the load queue does), and that would keep an unloaded model's memory.
    func startLoad(_ name: String) -> Task<ServingError?, Never> {
        let previous = loadQueueTail
        let task = Task<ServingError?, Never> {
            await previous?.value
            return await self.performLoad(name)
        }
        loadQueueTail = Task { _ = await task.value }
        if records[name] == nil { records[name] = ModelRecord() }
        setState(.loading(task), of: name)
        return task
    }

    /// Loads every version of `name` the repository serves, makes room within the budget and
    /// marks the model ready; on failure marks it unavailable with the reason.
    private func performLoad(_ name: String) async -> ServingError? {
        let started = ContinuousClock.now
        do throws(ServingError) {
            try await makeRoom(for: name, bytes: estimatedBytes(of: name), excluding: name)
            var loaded = try await ModelVersionLoader.load(name: name, repository: repository,
                                                           threads: options.threads, cores: options.inferenceCores, metricsFactory: options.metricsFactory,
                                                           logger: logger, onNewShapes: budgetCheck(for: name))
            loaded.generation = nextGeneration
            nextGeneration += 1
            do throws(ServingError) {
                try await makeRoom(for: name, bytes: loaded.bytes, excluding: name)
            } catch {
                for served in loaded.versions.values { await served.shutdown() }
                ProcessMemory.releaseFreedMemory()
                throw error
            }
            let elapsed = ContinuousClock.now - started
            setState(.ready(loaded), of: name)
            records[name]?.residency.loadCount += 1
            records[name]?.residency.lastLoadNanoseconds = UInt64(elapsed.nanoseconds)
            records[name]?.residency.bytes = UInt64(loaded.bytes)
            Counter(label: MetricNames.modelLoads, dimensions: metricDimensions(name), factory: metricsFactory).increment()
            Timer(label: MetricNames.modelLoadDuration, dimensions: metricDimensions(name), factory: metricsFactory).record(duration: elapsed)
            Gauge(label: MetricNames.modelLoadedBytes, dimensions: metricDimensions(name), factory: metricsFactory).record(loaded.bytes)
            let versions = loaded.versions.keys.sorted().map(String.init).joined(separator: ", ")
            logger.info("loaded model", metadata: [
                "model": "\(name)", "versions": "\(versions)", "bytes": "\(ByteCount(loaded.bytes))",
                "seconds": "\(elapsed.seconds)",
            ])
            return nil
        } catch {
            setState(.unavailable(reason: error.message), of: name)
            records[name]?.failedFingerprint = repository.currentFingerprint(of: name)
            logger.error("failed to load model", metadata: ["model": "\(name)", "error": "\(error.message)"])
            return error
        }
    }

    /// Bytes `name` will probably hold once loaded: what it held last time, else its model
    /// files' size (the weights; arenas come on top and are checked after the load).
    private func estimatedBytes(of name: String) -> Int {
        if let bytes = records[name]?.residency.bytes, bytes > 0 { return Int(bytes) }
        return repository.modelFileBytes(of: name)
    }

    /// What a version of `name` calls when it ran new input shapes: a check of the budget on
    /// the manager (the version keeps no reference to it).
    nonisolated func budgetCheck(for name: String) -> @Sendable () -> Void {
        { [weak self] in
            guard let self, options.memoryBudget.cpuBytes != nil else { return }
            Task { await self.checkBudget(afterGrowthOf: name) }
        }
    }

    /// Keeps the budget after `name` grew (its instances ran larger inputs than the load counted):
    /// on demand, evicts idle models least recently used first until everything fits again; when
    /// that cannot be done (resident models, or pinned or busy ones in the way), a warning with
    /// the numbers. The grown model itself keeps serving either way.
    func checkBudget(afterGrowthOf name: String) async {
        guard let loaded = records[name]?.loaded else { return }
        do {
            try await makeRoom(for: name, bytes: loaded.bytes, excluding: name, grew: true)
        } catch {
            logger.warning("loaded models exceed the memory budget", metadata: ["model": "\(name)", "error": "\(error.message)"])
        }
    }

    /// Makes `bytes` fit the CPU budget beside the loaded models. Resident: fails when they do
    /// not fit. On demand: evicts least recently used unpinned models, or fails when even that
    /// would not make room. Both errors give the numbers. `grew`: `name` is loaded, and `bytes`
    /// is what it grew to.
    private func makeRoom(for name: String, bytes: Int, excluding: String, grew: Bool = false) async throws(ServingError) {
        guard let budget = options.memoryBudget.cpuBytes else { return }
        let usage = readyModels.usage()
        let candidates = records.compactMap { key, record -> EvictionPlanner.Candidate? in
            guard key != excluding, let loaded = record.loaded else { return nil }
            return .init(name: key, bytes: loaded.bytes, lastUsed: usage[key]?.lastUsed ?? 0, pinned: loaded.pinned,
                         busy: usage[key]?.busy ?? false)
        }
        let inUse = candidates.reduce(0) { $0 + $1.bytes }
        let numbers = "it needs \(ByteCount(bytes)), the CPU budget is \(ByteCount(budget)) and loaded models hold \(ByteCount(inUse))"
        guard bytes <= budget else {
            throw .resourceExhausted("model '\(name)' does not fit the memory budget: \(numbers)")
        }
        guard let victims = EvictionPlanner.victims(neededBytes: bytes, budgetBytes: budget, candidates: candidates) else {
            throw .resourceExhausted("model '\(name)' does not fit the memory budget even after evicting every unpinned model: \(numbers)")
        }
        guard !victims.isEmpty else { return }
        guard options.residency == .onDemand else {
            let what = grew ? "model '\(name)' grew past the memory budget as it ran larger inputs"
                : "loading model '\(name)' would exceed the memory budget"
            throw .resourceExhausted("\(what): \(numbers) (use --residency on-demand to evict idle models, or raise --memory-budget)")
        }
        for victim in victims {
            logger.info("evicting model to make room", metadata: ["model": "\(victim.name)", "for": "\(name)"])
            let why = grew ? "evicted to make room for '\(name)', which grew" : "evicted to make room for '\(name)'"
            await unload(victim.name, reason: why, isEviction: true)
        }
    }

    /// Sets each loaded model's `switchyard_model_loaded_bytes` to what it holds now: its
    /// instances' arenas grow past the load-time figure as they first run larger batches or
    /// images. The metrics endpoint calls this before each scrape.
    public func recordMemoryGauges() {
        for (name, record) in records {
            guard let loaded = record.loaded else { continue }
            Gauge(label: MetricNames.modelLoadedBytes, dimensions: metricDimensions(name), factory: metricsFactory)
                .record(loaded.bytes)
        }
    }

    /// Drains and unloads `name`: no new requests, waits for its leases, finishes its queued and
    /// in-flight requests, then frees its memory. Returns when it is gone.
    func unload(_ name: String, reason: String, isEviction: Bool) async {
        guard let record = records[name] else { return }
        switch record.state {
        case .unloading(let task):
            await task.value
            return
        case .loading(let task):
            _ = await task.value
            await unload(name, reason: reason, isEviction: isEviction)
            return
        case .unavailable:
            return
        case .ready(let loaded):
            // What it held while serving: its instances keep nothing once drained.
            let heldBytes = loaded.bytes
            let task = Task { await self.drain(loaded, of: name) }
            setState(.unloading(task), of: name)
            await task.value
            setState(.unavailable(reason: reason), of: name)
            records[name]?.residency.bytes = UInt64(heldBytes)
            if isEviction {
                records[name]?.residency.evictionCount += 1
                Counter(label: MetricNames.modelEvictions, dimensions: metricDimensions(name), factory: metricsFactory).increment()
            } else {
                records[name]?.residency.unloadCount += 1
                Counter(label: MetricNames.modelUnloads, dimensions: metricDimensions(name), factory: metricsFactory).increment()
            }
            Gauge(label: MetricNames.modelLoadedBytes, dimensions: metricDimensions(name), factory: metricsFactory).record(0)
            ProcessMemory.releaseFreedMemory()
            logger.info("unloaded model", metadata: ["model": "\(name)", "reason": "\(reason)"])
        }
    }

    /// Waits until no request holds `loaded`, then shuts its versions down (finishing what they
    /// have queued and in flight).
    func drain(_ loaded: LoadedModelVersions, of name: String) async {
        while readyModels.leaseCount(name, generation: loaded.generation) > 0 {
            try? await Task.sleep(for: .milliseconds(2))
        }
        for served in loaded.versions.values { await served.shutdown() }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var seconds: Double { Double(nanoseconds) / 1e9 }
}
