import Synchronization

/// A pipeline run's clock, live thread count, run-level errors and the tasks waiting for the end.
final class RunTracker: Sendable {
    private struct State {
        var started: ContinuousClock.Instant?
        var ended: ContinuousClock.Instant?
        var runningThreads = 0
        var errors: [String] = []
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Marks the run started with `threads` threads; false when it was started before.
    func start(threads: Int) -> Bool {
        state.withLock { state in
            guard state.started == nil else { return false }
            state.started = .now
            state.runningThreads = threads
            return true
        }
    }

    /// `count` threads ended; after the last, the waiters resume.
    func threadsExited(_ count: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.runningThreads -= count
            guard state.runningThreads == 0 else { return [] }
            state.ended = .now
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until every thread has ended (returns at once if they have).
    func waitForEnd() async {
        await withCheckedContinuation { continuation in
            let ended = state.withLock { state in
                if state.ended != nil { return true }
                state.waiters.append(continuation)
                return false
            }
            if ended { continuation.resume() }
        }
    }

    func report(_ error: PipelineError) {
        state.withLock { $0.errors.append(error.message) }
    }

    var errors: [String] { state.withLock { $0.errors } }

    /// Seconds since the start (until the end, once ended); 0 before the start.
    var elapsedSeconds: Double {
        state.withLock { state in
            guard let started = state.started else { return 0 }
            let duration = (state.ended ?? .now) - started
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
    }
}
