import Foundation
import Synchronization

/// Runs blocking work (model runs, timing loops) on a thread of its own, never on Swift's
/// cooperative pool, and waits for its result.
enum DedicatedThread {
    /// Runs `body` on a new thread with a `stackSize`-byte stack and returns (or rethrows) its
    /// result.
    static func run<T: Sendable>(stackSize: Int = 64 << 20, _ body: @escaping @Sendable () throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let result = Result { try body() }
            box.result.withLock { $0 = result }
            done.signal()
        }
        thread.stackSize = stackSize
        thread.name = "switchyard-worker"
        thread.start()
        done.wait()
        return try box.result.withLock { $0! }.get()
    }

    private final class ResultBox<T: Sendable>: Sendable {
        let result = Mutex<Result<T, any Error>?>(nil)
    }
}
