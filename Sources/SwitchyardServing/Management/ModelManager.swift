import Logging
import Metrics
import Synchronization

/// Holds the models of one repository and serves them: loads and unloads them as the control
/// mode and residency say, keeps them within the memory budget (evicting least recently used
/// models on demand), and routes each request to its model version's batcher.
///
/// It is the `InferenceService` the frontends call and a swift-service-lifecycle `Service`:
/// `run()` loads the start-up models, polls the repository in `poll` mode, and on graceful
/// shutdown finishes queued and in-flight requests (bounded by the shutdown timeout).
///
/// Threading: an actor for loading, unloading and eviction; it only coordinates. A request to a
/// ready model never enters the actor: it leases the model in `readyModels` (one lock) and goes
/// straight to the model's batcher. Loading runs on dedicated threads and inference on each
/// model's instance threads.
public actor ModelManager {
    public nonisolated let options: ModelManagerOptions
    nonisolated let logger: Logger
    nonisolated let repository: ModelRepository
    nonisolated let status = Mutex(Status())
    /// The ready models and their leases; kept in step with `records` by `setState`.
    nonisolated let readyModels = ReadyModelTable()

    var records: [String: ModelRecord] = [:]
    /// Loads run one at a time so that budget checks see every model that is already loaded.
    var loadQueueTail: Task<Void, Never>?
    /// The generation the next load gets.
    var nextGeneration = 1

    struct Status {
        var started = false
        var shuttingDown = false
    }

    public init(options: ModelManagerOptions, logger: Logger) throws(ServingError) {
        guard options.threads >= 1 else {
            throw .invalidArgument("threads must be at least 1, got \(options.threads)")
        }
        self.options = options
        self.logger = logger
        repository = ModelRepository(path: options.repositoryPath, excluding: options.isServedElsewhere)
        _ = try repository.modelNames()
    }

    /// Finds the served version for a request and holds it (a lease) until
    /// `readyModels.release`. A ready model is leased without entering the actor; otherwise
    /// `acquire` loads it first (on-demand residency) or says why it cannot serve.
    nonisolated func lease(name: String, version: Int64?, timeoutMicroseconds: UInt64?) async throws(ServingError) -> Lease {
        if !status.withLock({ $0.shuttingDown }), let lease = try readyModels.lease(name: name, version: version) {
            return lease
        }
        return try await acquire(name: name, version: version, timeoutMicroseconds: timeoutMicroseconds)
    }

    /// `lease`'s path for a model that is not ready: waits for its load (bounded by `timeout`),
    /// starts one when residency is on demand, or fails with the reason.
    func acquire(name: String, version: Int64?, timeoutMicroseconds: UInt64?) async throws(ServingError) -> Lease {
        while true {
            if status.withLock({ $0.shuttingDown }) {
                throw .unavailable("the server is shutting down; model '\(name)' takes no new requests")
            }
            guard let record = records[name] else {
                if options.residency == .onDemand, repository.contains(model: name) {
                    records[name] = ModelRecord()
                    continue
                }
                throw .notFound("unknown model '\(name)': it is not in the model repository \(options.repositoryPath)")
            }
            switch record.state {
            case .ready:
                guard let lease = try readyModels.lease(name: name, version: version) else {
                    throw .internal("model '\(name)' is ready but not in the table of ready models")
                }
                return lease
            case .loading(let task):
                try await wait(for: task, model: name, timeoutMicroseconds: timeoutMicroseconds)
            case .unloading(let task):
                guard options.residency == .onDemand else {
                    throw .unavailable("model '\(name)' is being unloaded")
                }
                await task.value
            case .unavailable(let reason):
                guard options.residency == .onDemand else {
                    let why = reason.isEmpty ? "" : ": \(reason)"
                    throw .unavailable("model '\(name)' is not loaded\(why)")
                }
                if !reason.isEmpty, record.residency.evictionCount == 0, record.residency.loadCount == 0 {
                    // It failed to load before and was never served: report that load error
                    // rather than retrying a broken model on every request.
                    throw .unavailable("model '\(name)' failed to load: \(reason)")
                }
                _ = startLoad(name)
            }
        }
    }

    typealias Lease = ReadyModelTable.Lease

    /// Sets the state of `name`'s record and publishes it to (or withdraws it from) the ready
    /// table in the same actor step, so requests see exactly the ready loads.
    func setState(_ state: ModelRecord.State, of name: String) {
        guard records[name] != nil else { return }
        records[name]?.state = state
        if case .ready(let loaded) = state {
            readyModels.publish(loaded, as: name)
        } else {
            readyModels.withdraw(name)
        }
    }

    /// Waits for a load to finish, at most `timeoutMicroseconds`.
    private func wait(for task: Task<ServingError?, Never>, model name: String,
                      timeoutMicroseconds: UInt64?) async throws(ServingError) {
        guard let timeoutMicroseconds else {
            _ = await task.value
            return
        }
        let finished = await Deadline.finishes(within: .microseconds(timeoutMicroseconds)) { _ = await task.value }
        if !finished {
            throw .deadlineExceeded("model '\(name)' is still loading after the request's timeout of \(timeoutMicroseconds) µs")
        }
    }

    /// The dimensions metrics of `name` are recorded with.
    nonisolated func metricDimensions(_ name: String) -> [(String, String)] { [("model", name)] }

    /// Where the manager's metrics go (`options.metricsFactory`, else the global system).
    nonisolated var metricsFactory: any MetricsFactory { options.metricsFactory ?? MetricsSystem.factory }
}
