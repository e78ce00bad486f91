import Foundation
import Synchronization

/// Threads that run the pieces of a split batch beside the calling thread (never Swift's
/// cooperative pool). Each waits on its own semaphore for a job and signals when it is done.
/// One split run at a time: `tryRun` answers false when another run holds the workers.
final class PieceWorkers: Sendable {
    private enum Job {
        case run(@Sendable () -> Void)
        case stop
    }

    private final class Worker: Sendable {
        let job = Mutex<Job?>(nil)
        let start = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)

        /// The thread's loop; it holds only the worker, so the pool can go away and stop it.
        func serve() {
            while true {
                start.wait()
                switch job.withLock({ $0.take() }) {
                case .run(let body)?:
                    body()
                    done.signal()
                case .stop?, nil:
                    return
                }
            }
        }
    }

    private let workers: [Worker]
    private let busy = Mutex(false)

    /// `count` threads with `stackSize`-byte stacks (kernels recurse into subgraphs).
    init(count: Int, name: String, stackSize: Int = 64 << 20) {
        workers = (0..<count).map { _ in Worker() }
        for (index, worker) in workers.enumerated() {
            let thread = Thread { worker.serve() }
            thread.stackSize = stackSize
            thread.name = "\(name)-\(index + 1)"
            thread.start()
        }
    }

    deinit {
        for worker in workers {
            worker.job.withLock { $0 = .stop }
            worker.start.signal()
        }
    }

    /// The most jobs one run takes: the workers plus the calling thread.
    var capacity: Int { workers.count + 1 }

    /// Runs `jobs[0]` on the calling thread and the others on the workers at once, returning when
    /// all have finished; or returns false at once, running nothing, when another run holds the
    /// workers.
    func tryRun(_ jobs: [@Sendable () -> Void]) -> Bool {
        precondition(!jobs.isEmpty && jobs.count <= capacity, "\(jobs.count) jobs for \(capacity) threads")
        guard busy.withLock({ held in
            if held { return false }
            held = true
            return true
        }) else { return false }
        defer { busy.withLock { $0 = false } }
        let helpers = Array(workers.prefix(jobs.count - 1))
        for (worker, job) in zip(helpers, jobs.dropFirst()) {
            worker.job.withLock { $0 = .run(job) }
            worker.start.signal()
        }
        jobs[0]()
        for worker in helpers { worker.done.wait() }
        return true
    }
}
