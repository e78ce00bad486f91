import Synchronization

/// The models a request can reach without going through the `ModelManager` actor: the ready
/// versions of each model, the requests holding each load (leases, per generation) and when each
/// model was last used.
///
/// A request takes its lease here under one lock, so the request path never hops onto the
/// actor (≈ 115 µs per request measured, BENCHMARKS.md "Per-request cost"). The actor still owns
/// every state change: it publishes a model when its load finishes and withdraws it before it
/// drains, so once `withdraw` returns no new lease on that load can be taken, and draining
/// waits for `leaseCount` to reach 0.
final class ReadyModelTable: Sendable {
    /// A request's hold on one served model version.
    struct Lease {
        var model: ServedModel
        var name: String
        var generation: Int
    }

    /// How recently a loaded model was used and whether a request holds it (eviction order).
    struct Usage {
        var lastUsed: UInt64
        var busy: Bool
    }

    private struct State {
        var ready: [String: LoadedModelVersions] = [:]
        /// Requests holding a load, by model and generation.
        var leases: [String: [Int: Int]] = [:]
        var lastUsed: [String: UInt64] = [:]
        /// The clock of `lastUsed`: larger = used more recently.
        var tick: UInt64 = 0
    }

    private let state = Mutex(State())

    /// A lease on `name` at `version` (its latest when nil), or nil when the model is not ready
    /// (not loaded, loading, or draining). Throws when the model is ready but lacks `version`.
    func lease(name: String, version: Int64?) throws(ServingError) -> Lease? {
        try state.withLock { state throws(ServingError) -> Lease? in
            guard let loaded = state.ready[name] else { return nil }
            guard let chosen = version ?? loaded.latestVersion, let served = loaded.versions[chosen] else {
                let available = loaded.versions.keys.sorted().map(String.init).joined(separator: ", ")
                throw .notFound("model '\(name)' has no version \(version.map(String.init) ?? "") loaded (loaded: \(available))")
            }
            state.tick += 1
            state.lastUsed[name] = state.tick
            state.leases[name, default: [:]][loaded.generation, default: 0] += 1
            return Lease(model: served, name: name, generation: loaded.generation)
        }
    }

    /// Ends a lease taken by `lease`.
    func release(_ lease: Lease) {
        state.withLock { state in
            state.leases[lease.name]?[lease.generation, default: 1] -= 1
            if state.leases[lease.name]?[lease.generation] == 0 { state.leases[lease.name]?[lease.generation] = nil }
        }
    }

    /// Requests take leases on `loaded` from now on (it replaces any earlier load of `name`,
    /// whose leases stay counted until released).
    func publish(_ loaded: LoadedModelVersions, as name: String) {
        state.withLock { $0.ready[name] = loaded }
    }

    /// No new lease on `name` from now on.
    func withdraw(_ name: String) {
        state.withLock { _ = $0.ready.removeValue(forKey: name) }
    }

    /// Requests holding generation `generation` of `name`.
    func leaseCount(_ name: String, generation: Int) -> Int {
        state.withLock { $0.leases[name]?[generation] ?? 0 }
    }

    /// Every model's usage, for the eviction order.
    func usage() -> [String: Usage] {
        state.withLock { state in
            let names = Set(state.lastUsed.keys).union(state.leases.keys)
            return Dictionary(uniqueKeysWithValues: names.map { name in
                (name, Usage(lastUsed: state.lastUsed[name] ?? 0,
                             busy: state.leases[name]?.values.contains { $0 > 0 } ?? false))
            })
        }
    }
}
