import Foundation
import SwitchyardServing
import Synchronization

/// Starts a stage's dedicated threads (never Swift's cooperative pool) and runs `whenAllExited`
/// on the last one to finish, e.g. to tell the consumers the stage is done. The threads carry
/// the stage's name (`pipeline STAGE`; the operating system sees `STAGE` or `STAGE#INDEX`).
enum WorkerThreads {
    static func start(stage: String, count: Int, body: @escaping @Sendable (Int) -> Void,
                      whenAllExited: @escaping @Sendable () -> Void) {
        let remaining = Counter(count)
        for index in 0..<count {
            let threadName = count == 1 ? "pipeline \(stage)" : "pipeline \(stage) \(index)"
            let thread = Thread {
                ThreadName.set(count == 1 ? stage : "\(stage)#\(index)")
                body(index)
                if remaining.decrement() == 0 { whenAllExited() }
            }
            thread.name = threadName
            // Processors may run engine or image code that recurses; give them a main-thread-sized stack.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private final class Counter: Sendable {
        private let value: Mutex<Int>
        init(_ value: Int) { self.value = Mutex(value) }
        func decrement() -> Int { value.withLock { $0 -= 1; return $0 } }
    }
}
