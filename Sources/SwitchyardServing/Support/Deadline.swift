import Synchronization

/// Waits for async work at most a given time.
enum Deadline {
    /// Starts `operation` and returns true when it finishes within `duration`, false when the
    /// time runs out first. The operation is not cancelled: it goes on in the background (a
    /// model load that other requests still wait for, a drain at shutdown).
    ///
    /// A task group cannot do this: it waits for every child before it returns, and a child
    /// awaiting another task's value does not stop when cancelled.
    static func finishes(within duration: Duration, _ operation: @escaping @Sendable () async -> Void) async -> Bool {
        await withCheckedContinuation { continuation in
            let once = ResumeOnce(continuation)
            Task {
                await operation()
                once.resume(true)
            }
            Task {
                try? await Task.sleep(for: duration)
                once.resume(false)
            }
        }
    }

    private final class ResumeOnce: Sendable {
        private let continuation: Mutex<CheckedContinuation<Bool, Never>?>

        init(_ continuation: CheckedContinuation<Bool, Never>) {
            self.continuation = Mutex(continuation)
        }

        func resume(_ value: Bool) {
            continuation.withLock { pending in
                pending?.resume(returning: value)
                pending = nil
            }
        }
    }
}
