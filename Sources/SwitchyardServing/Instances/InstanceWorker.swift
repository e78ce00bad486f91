import Dispatch
import Foundation
import SwitchyardEngine
import Synchronization

/// One instance of a served model: a dedicated thread (never Swift's cooperative pool) with its
/// own `Session` over the shared `LoadedModel`, taking batches from the scheduler until the
/// model stops.
///
/// The thread pins itself first (so oneDNN's OpenMP team, created later by this thread,
/// inherits the mask), then compiles its session, runs `setUp` (instance 0 profiles there),
/// reports to `startup`, and serves.
final class InstanceWorker: Sendable {
    let plan: InstancePlan.Instance
    /// The cores the thread may run on, read back with `sched_getaffinity` on the thread itself.
    var appliedCores: [Int]? { applied.withLock { $0 } }

    /// Bytes the instance's session keeps between runs (`Session.keptBufferBytes`), 0 before it
    /// is made and after the thread exits.
    var keptBufferBytes: Int { session.withLock { $0 }?.keptBufferBytes ?? 0 }

    private let applied = Mutex<[Int]?>(nil)
    private let session = Mutex<Session?>(nil)
    private let wakeUp = DispatchSemaphore(value: 0)

    init(plan: InstancePlan.Instance) {
        self.plan = plan
    }

    /// Starts the thread. `setUp` runs on it before serving; `exited` is called last on it.
    /// Answered requests of a shadowed model are offered to `shadow`.
    func start(model: LoadedModel, scheduler: BatchScheduler, runner: BatchRunner, shadow: ShadowEvaluator?,
               startup: InstanceStartup, setUp: @escaping @Sendable (Session) -> Void, exited: @escaping @Sendable () -> Void) {
        let name = "\(scheduler.modelName) instance \(plan.index)"
        let thread = Thread { [self] in
            ThreadName.set("\(scheduler.modelName)@\(plan.index)")
            defer { exited() }
            let session: Session
            do throws(ServingError) {
                session = try prepare(model: model)
            } catch {
                startup.report(.failure(error))
                return
            }
            self.session.withLock { $0 = session }
            defer { self.session.withLock { $0 = nil } }
            setUp(session)
            startup.report(.success(()))
            while case .batch(let batch) = scheduler.nextBatch(instance: plan.index, wakeUp: wakeUp) {
                runner.run(batch, on: session, shadow: shadow)
            }
        }
        thread.name = name
        // The engine's kernels recurse into subgraphs; give them the main thread's stack size.
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func prepare(model: LoadedModel) throws(ServingError) -> Session {
        if let cores = plan.cores { try CPUAffinity.pinCurrentThread(to: cores) }
        applied.withLock { $0 = CPUAffinity.currentThreadCores() }
        do {
            return try Session(model: model, options: SessionOptions(threads: plan.threads))
        } catch {
            throw .internal("instance \(plan.index) could not prepare the model: \(error)")
        }
    }
}

/// Collects the instances' start-up results; the loader blocks in `wait` until all reported.
final class InstanceStartup: Sendable {
    private let results = Mutex<[Result<Void, ServingError>]>([])
    private let reported = DispatchSemaphore(value: 0)

    func report(_ result: Result<Void, ServingError>) {
        results.withLock { $0.append(result) }
        reported.signal()
    }

    /// Blocks until `count` instances reported; the first failure, if any.
    func wait(count: Int) -> ServingError? {
        for _ in 0..<count { reported.wait() }
        return results.withLock { results in
            for case .failure(let error) in results { return error }
            return nil
        }
    }
}

/// Counts the instance threads still running; `shutdown` awaits the last one.
final class InstanceExits: Sendable {
    private let state: Mutex<(running: Int, waiters: [CheckedContinuation<Void, Never>])>

    init(running: Int) {
        state = Mutex((running, []))
    }

    func threadExited() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running -= 1
            guard state.running == 0 else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func waitForAll() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                if state.running == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
