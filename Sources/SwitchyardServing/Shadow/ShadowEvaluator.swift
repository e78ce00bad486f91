import CSystemShims
import Dispatch
import Foundation
import Logging
import Metrics
import SwitchyardEngine
import SwitchyardTensor
import Synchronization

/// Runs a served version's shadow reference on sampled live requests and compares outputs,
/// without ever delaying a real request:
///
/// - an instance offers a sampled request after answering it, and only when the model's request
///   queue is empty; otherwise (or when `capacity` samples already wait) the sample is dropped
///   and counted, never queued;
/// - the reference runs on a thread of its own (never Swift's cooperative pool) in the idle
///   scheduling class (`SCHED_IDLE`, nice 19 where refused), with a one-thread session, so the
///   instance threads take the CPU whenever they want it; before each run it checks the
///   request queue again and drops the sample if requests are waiting.
final class ShadowEvaluator: Sendable {
    /// Samples that may wait for the reference; more are dropped.
    static let capacity = 2

    private struct Sample: Sendable {
        var inputs: [String: Tensor]
        var outputs: [NamedTensor]
    }

    private struct State {
        var samples: [Sample] = []
        var stopped = false
    }

    let settings: ShadowSettings
    /// The arena the reference's session plans for max batch.
    let plannedArenaBytes: Int
    private let model: LoadedModel
    private let session = Mutex<Session?>(nil)
    private let modelName: String
    private let sampler: ShadowSampler
    private let recorder: ShadowRecorder
    private let state = Mutex(State())
    private let wakeUp = DispatchSemaphore(value: 0)
    private let exits = InstanceExits(running: 1)
    private let isModelIdle: @Sendable () -> Bool
    private let logger: Logger
    private let loggedFailure = Atomic<Bool>(false)

    /// Starts the shadow thread and waits until its session is compiled. `isModelIdle` says
    /// whether the model's request queue is empty.
    init(reference: ShadowReference, plannedArenaBytes: Int, modelName: String, version: Int64,
         isModelIdle: @escaping @Sendable () -> Bool, metricsFactory: (any MetricsFactory)?,
         logger: Logger) throws(ServingError) {
        settings = reference.settings
        self.plannedArenaBytes = plannedArenaBytes
        model = reference.model
        self.modelName = modelName
        sampler = ShadowSampler(rate: reference.settings.sampleRate)
        recorder = ShadowRecorder(name: modelName, version: version, initial: ShadowStatistics(
            reference: reference.settings.reference, sampleRate: reference.settings.sampleRate,
            metric: reference.settings.metric.rawValue, tolerance: reference.settings.tolerance,
            referenceBytes: 0), factory: metricsFactory)
        self.isModelIdle = isModelIdle
        self.logger = logger
        let startup = InstanceStartup()
        let model = reference.model
        let thread = Thread { [self] in
            defer { exits.threadExited() }
            // Lowered before the session exists, so any thread the engine starts inherits it.
            let lowered = switchyard_lower_thread_priority()
            if lowered != 0 {
                logger.warning("shadow thread keeps normal priority", metadata: ["model": "\(modelName)", "errno": "\(lowered)"])
            }
            let session: Session
            do {
                session = try Session(model: model, options: SessionOptions(threads: 1))
            } catch {
                startup.report(.failure(.internal("the shadow reference could not be prepared: \(error)")))
                return
            }
            self.session.withLock { $0 = session }
            defer { self.session.withLock { $0 = nil } }
            startup.report(.success(()))
            serve(session)
        }
        thread.name = "\(modelName) v\(version) shadow"
        thread.stackSize = 8 << 20
        thread.start()
        if let failure = startup.wait(count: 1) { throw failure }
    }

    var statistics: ShadowStatistics {
        var snapshot = recorder.snapshot
        snapshot.referenceBytes = UInt64(memoryHeld.totalBytes)
        return snapshot
    }

    /// What the reference holds now: its weights, packed weights and its session's arena.
    var memoryHeld: MemoryHeld {
        ServedModel.memoryHeld(model: model, plannedArenaBytes: plannedArenaBytes,
                               kept: [session.withLock { $0 }?.keptBufferBytes ?? 0])
    }

    /// Called on an instance thread right after `batch` was answered with `responses`: samples
    /// some of the requests and hands them to the shadow thread if the model is idle.
    func offer(_ batch: [PendingRequest], responses: [InferenceResponse]) {
        for (request, response) in zip(batch, responses) where sampler.next() {
            recorder.recordSampled()
            guard isModelIdle() else {
                recorder.recordDroppedBusy()
                continue
            }
            let accepted = state.withLock { state in
                guard !state.stopped, state.samples.count < Self.capacity else { return false }
                state.samples.append(Sample(inputs: request.inputs, outputs: response.outputs))
                return true
            }
            if accepted { wakeUp.signal() } else { recorder.recordDroppedBusy() }
        }
    }

    /// Stops the thread after the sample it is running; waiting samples are discarded.
    func stop() {
        state.withLock { state in
            state.stopped = true
            state.samples.removeAll()
        }
        wakeUp.signal()
    }

    func waitForExit() async {
        await exits.waitForAll()
    }

    private func serve(_ session: Session) {
        while let sample = nextSample() {
            guard isModelIdle() else {
                recorder.recordDroppedBusy()
                continue
            }
            do throws(ServingError) {
                recorder.recordCompared(try evaluate(sample, on: session))
            } catch {
                recorder.recordFailed()
                if !loggedFailure.exchange(true, ordering: .relaxed) {
                    logger.warning("shadow evaluation failed (logged once)", metadata: ["model": "\(modelName)", "error": "\(error.message)"])
                }
            }
        }
    }

    private func evaluate(_ sample: Sample, on session: Session) throws(ServingError) -> [ShadowComparison] {
        let outputs: [String: Tensor]
        do {
            outputs = try session.run(sample.inputs)
        } catch {
            throw .internal("the shadow reference '\(settings.reference)' failed to run: \(error)")
        }
        return try sample.outputs.map { served throws(ServingError) in
            guard let reference = outputs[served.name] else {
                throw .internal("the shadow reference '\(settings.reference)' produced no output '\(served.name)'")
            }
            return try ShadowComparison.compare(served: served.tensor, reference: reference, output: served.name,
                                                metric: settings.metric, tolerance: settings.tolerance)
        }
    }

    private func nextSample() -> Sample? {
        while true {
            let (sample, stopped) = state.withLock { state -> (Sample?, Bool) in
                if state.stopped { return (nil, true) }
                return (state.samples.isEmpty ? nil : state.samples.removeFirst(), false)
            }
            if stopped { return nil }
            if let sample { return sample }
            wakeUp.wait()
        }
    }
}
