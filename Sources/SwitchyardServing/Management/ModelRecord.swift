/// The versions of one model that are loaded and serving, with what the manager needs to know
/// about them.
struct LoadedModelVersions: Sendable {
    /// The configuration in effect (completed from the model).
    var config: Inference_ModelConfig
    /// The served versions by number.
    var versions: [Int64: ServedModel]
    /// What the repository looked like when these were loaded (poll mode compares it).
    var fingerprint: ModelFingerprint
    /// `parameters { key: "pinned" }`: never evicted.
    var pinned: Bool
    /// Tells loads of the same model apart, so a reload drains exactly the requests that hold
    /// the versions it replaces.
    var generation = 0

    /// Bytes held by every version now: weights, packed weights and arenas (`ServedModel.memoryBytes`).
    var bytes: Int { versions.values.reduce(0) { $0 + $1.memoryBytes } }

    /// The version a request without one goes to: the highest.
    var latestVersion: Int64? { versions.keys.max() }
}

/// What the manager knows of one model of the repository.
struct ModelRecord {
    enum State {
        /// Not loaded; `reason` says why when a load failed.
        case unavailable(reason: String)
        /// A load is running; waiters await the task.
        case loading(Task<ServingError?, Never>)
        case ready(LoadedModelVersions)
        /// Draining before unload or eviction; the task ends when the model is gone. Requests
        /// wait for it and load the model again (on demand) or fail.
        case unloading(Task<Void, Never>)
    }

    /// Set through `ModelManager.setState`, which keeps the ready table in step.
    var state: State = .unavailable(reason: "")
    /// The repository fingerprint of the last load that failed: poll mode retries when it changes.
    var failedFingerprint: ModelFingerprint?
    var residency = ModelStatistics.Residency()

    var loaded: LoadedModelVersions? {
        if case .ready(let loaded) = state { return loaded }
        return nil
    }

    /// Triton's state name for the repository index.
    var stateName: String {
        switch state {
        case .unavailable: "UNAVAILABLE"
        case .loading: "LOADING"
        case .ready: "READY"
        case .unloading: "UNLOADING"
        }
    }

    var reason: String {
        if case .unavailable(let reason) = state { return reason }
        return ""
    }
}
