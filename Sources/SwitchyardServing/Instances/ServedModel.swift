import Foundation
import CoreMetrics
import Logging
import SwitchyardEngine
import Synchronization

/// One loaded model version being served: its instances (dedicated worker threads, each with its
/// own Session over the shared LoadedModel), its dynamic batcher and its statistics.
///
/// Threading: every member may be called from any thread or task. `init` blocks its caller
/// while the instances compile and the batch profile runs on the instance threads; from async
/// code use `load`, which blocks a dedicated thread instead of the cooperative pool.
public final class ServedModel: Sendable {
    public let name: String
    public let version: Int64
    /// The configuration in effect.
    public let config: Inference_ModelConfig
    public let model: LoadedModel
    /// What load-time profiling measured and chose.
    public let batchProfile: BatchProfile
    /// How long instance 0's warm-up batch took, when it ran one (a profiled model warms up
    /// while profiling; a model whose inputs cannot be made up, free dims or strings, skips it).
    public let warmUpMilliseconds: Double?
    /// What this version holds now: weights, packed weights, and its instances' arenas
    /// (`memoryHeld`), plus the shadow reference's when the model is shadowed. It grows as the
    /// instances first run larger batches or images than the load-time plan counted.
    public var memoryBytes: Int { memoryHeld.totalBytes + (shadow?.memoryHeld.totalBytes ?? 0) }
    /// The serving variant, the variants beside it, and what the serving one takes now.
    public var precision: PrecisionStatistics {
        let held = memoryHeld
        return PrecisionStatistics(serving: precisionName, variants: variants, weightBytes: UInt64(held.weightBytes),
                                   packedWeightBytes: UInt64(held.packedWeightBytes), arenaBytes: UInt64(held.arenaBytes))
    }

    private let precisionName: String
    private let variants: [PrecisionVariant]
    /// The arena one instance plans for max batch.
    private let plannedArenaBytes: Int
    private let policy: BatchingPolicy
    private let validator: RequestValidator
    private let scheduler: BatchScheduler
    private let runner: BatchRunner
    private let recorder: ModelStatisticsRecorder
    private let workers: [InstanceWorker]
    private let exits: InstanceExits
    private let outstanding: OutstandingRequests
    private let shadow: ShadowEvaluator?
    private let tickets = Atomic<UInt64>(0)

    /// Starts `config`'s instances over `model` and profiles batch sizes (when the model merges
    /// requests and max_batch_size > 1). `config` must be complete and validated; `threadBudget`
    /// is the threads all instances together may use, on `cores` unless the config's `cpu_cores`
    /// names others (nil: not pinned). Metrics go to `metricsFactory` (the global
    /// `MetricsSystem` when nil). `precision` names the variant `model` is and `variants` lists
    /// the version directory's files (both only reported); with `shadow`, a sample of the
    /// answered requests also runs on the reference at idle priority (`ShadowEvaluator`).
    /// `onNewShapes` is called, on an instance thread, after a batch ran input shapes no
    /// earlier batch had: the version may have grown (`memoryBytes`).
    public init(name: String, version: Int64, config: Inference_ModelConfig, model: LoadedModel,
                threadBudget: Int, cores: [Int]? = nil, metricsFactory: (any MetricsFactory)? = nil, logger: Logger,
                precision: String = PrecisionVariant.fullPrecision, variants: [PrecisionVariant] = [],
                shadow reference: ShadowReference? = nil,
                onNewShapes: @escaping @Sendable () -> Void = {}) throws(ServingError) {
        self.name = name
        self.version = version
        self.config = config
        self.model = model
        let policy = BatchingPolicy(config: config)
        let plan = try InstancePlan(modelName: name, config: config, threadBudget: threadBudget, defaultCores: cores)
        // The dims the model computes on: a config reshape's, else the config's.
        let configDims = Dictionary(config.input.map { ($0.name, $0.hasReshape ? $0.reshape.shape : $0.dims) },
                                    uniquingKeysWith: { first, _ in first })
        let recorder = ModelStatisticsRecorder(name: name, version: version, factory: metricsFactory)
        let outstanding = OutstandingRequests()
        let delivery = ResponseDelivery(preservesOrder: policy.preserveOrdering) { outstanding.finished() }
        let runner = BatchRunner(modelName: name, modelVersion: version, inputNames: model.inputs.map(\.name),
                                 outputReshapes: BatchRunner.outputReshapes(of: config),
                                 recorder: recorder, delivery: delivery, shapes: NewShapeNotice(onNew: onNewShapes))
        let formation = BatchFormation(limit: ServedModel.batchLimit(policy: policy, model: model),
                                       preferredSizes: policy.preferredBatchSizes.filter { $0 <= policy.maxBatchSize },
                                       maxQueueDelayNanoseconds: policy.maxQueueDelayNanoseconds,
                                       merges: policy.mergesRequests)
        let scheduler = BatchScheduler(modelName: name, policy: policy, formation: formation, onExpired: { expired in
            for request in expired { runner.fail(request, ServedModel.timeoutError(request, modelName: name)) }
        }, onDepthChange: { recorder.recordQueueDepth($0) })
        let plannedArenaBytes = ServedModel.plannedArenaBytes(model: model, configDims: configDims,
                                                              maxBatchSize: policy.maxBatchSize)
        var shadow: ShadowEvaluator?
        if let reference {
            let referenceArenaBytes = ServedModel.plannedArenaBytes(model: reference.model, configDims: configDims,
                                                                    maxBatchSize: policy.maxBatchSize)
            shadow = try ShadowEvaluator(reference: reference, plannedArenaBytes: referenceArenaBytes, modelName: name, version: version,
                                         isModelIdle: { scheduler.queuedCount == 0 }, metricsFactory: metricsFactory,
                                         logger: logger)
        }

        // Instance 0 profiles on its own thread and session before serving; the other instances,
        // and instance 0 of a model that is not profiled, run one warm-up batch.
        let profiler = BatchProfiler(modelName: name, maxBatchSize: formation.limit)
        let measured = InstanceOutcome<Result<[BatchProfile.Measurement], ProfileSkip>>()
        let warmUp = InstanceOutcome<Result<UInt64, ProfileSkip>>()
        let profiles = formation.merges && formation.limit > 1
        let batching = policy.maxBatchSize > 0
        let workers = plan.instances.map(InstanceWorker.init(plan:))
        let exits = InstanceExits(running: workers.count)
        let startup = InstanceStartup()
        for worker in workers {
            let isProfiler = profiles && worker.plan.index == 0
            let index = worker.plan.index
            worker.start(model: model, scheduler: scheduler, runner: runner, shadow: shadow, startup: startup, setUp: { session in
                if isProfiler {
                    measured.set(Result { () throws(ProfileSkip) in try profiler.measure(session: session, configDims: configDims) })
                    return
                }
                let outcome = Result { () throws(ProfileSkip) in
                    try profiler.warmUp(session: session, configDims: configDims, batching: batching)
                }
                if index == 0 { warmUp.set(outcome) }
            }, exited: { exits.threadExited() })
        }
        if let failure = startup.wait(count: workers.count) {
            scheduler.stopAccepting()
            shadow?.stop()
            throw ServingError(failure.kind, "model '\(name)' version \(version) failed to start: \(failure.message)")
        }

        let profile = ServedModel.profile(policy: policy, formation: formation, measured: measured.value)
        if case .measured = profile.choice {
            var limited = formation
            limited.limit = min(formation.limit, profile.chosenBatchSize)
            scheduler.setFormation(limited)
        }
        self.policy = policy
        self.validator = RequestValidator(modelName: name, model: model, config: config)
        self.scheduler = scheduler
        self.runner = runner
        self.recorder = recorder
        self.workers = workers
        self.exits = exits
        self.outstanding = outstanding
        self.shadow = shadow
        batchProfile = profile
        warmUpMilliseconds = (try? warmUp.value?.get()).map { Double($0) / 1e6 }
        precisionName = precision
        self.variants = variants
        self.plannedArenaBytes = plannedArenaBytes
        let held = memoryHeld
        var metadata: Logger.Metadata = [
            "instances": "\(workers.count)", "threads_per_instance": "\(plan.instances.first?.threads ?? 1)",
            "cpu_cores": "\(plan.instances.first?.cores.map(CPUAffinity.describe) ?? "any")",
            "batch_profile": "\(profile)", "memory_bytes": "\(memoryBytes)", "precision": "\(precision)",
            "weight_bytes": "\(held.weightBytes)", "packed_weight_bytes": "\(held.packedWeightBytes)",
            "arena_bytes": "\(held.arenaBytes)",
        ]
        if let warmUpMilliseconds {
            metadata["warm_up_ms"] = "\(String(format: "%.1f", warmUpMilliseconds))"
        } else if case .failure(let skip)? = warmUp.value {
            metadata["warm_up"] = "skipped: \(skip.reason)"
        }
        if !variants.isEmpty { metadata["variants"] = "\(self.precision.summary)" }
        if let shadow {
            metadata["shadow"] = "\(shadow.settings.reference) at rate \(shadow.settings.sampleRate), \(shadow.memoryHeld.totalBytes) bytes"
        }
        logger.info("model '\(name)' version \(version) serving", metadata: metadata)
    }

    /// `init` on a dedicated thread, so async callers never block the cooperative pool while
    /// the instances compile and profile.
    public static func load(name: String, version: Int64, config: Inference_ModelConfig, model: LoadedModel,
                            threadBudget: Int, cores: [Int]? = nil, metricsFactory: (any MetricsFactory)? = nil,
                            logger: Logger, shadow: ShadowReference? = nil) async throws(ServingError) -> ServedModel {
        do {
            return try await BlockingWork.run(name: "load \(name) v\(version)") {
                try ServedModel(name: name, version: version, config: config, model: model,
                                threadBudget: threadBudget, cores: cores, metricsFactory: metricsFactory, logger: logger, shadow: shadow)
            }
        } catch let error as ServingError {
            throw error
        } catch {
            throw .internal("model '\(name)' version \(version): \(error)")
        }
    }

    deinit {
        // Lets the instance threads finish and exit if nobody called `shutdown`.
        scheduler.stopAccepting()
        shadow?.stop()
    }

    /// Validates `request`, queues it and waits for its batch to run. Fails at once when the
    /// request does not fit the model (`.invalidArgument`), the queue is full
    /// (`.resourceExhausted`) or the model is shutting down (`.unavailable`); fails with
    /// `.deadlineExceeded` when it times out in the queue under a REJECT policy.
    public func infer(_ request: InferenceRequest) async throws(ServingError) -> InferenceResponse {
        let arrived = MonotonicClock.now()
        let checked: RequestValidator.Checked
        do {
            checked = try validator.check(request)
        } catch {
            recorder.recordRequest(succeeded: false, nanoseconds: MonotonicClock.now() - arrived)
            throw error
        }
        let level = policy.priorityLevel(requested: request.priority)
        let queuePolicy = policy.queuePolicies[level - 1]
        let timeout = queuePolicy.timeoutMicroseconds(requested: request.timeoutMicroseconds)
        let ticket = tickets.add(1, ordering: .relaxed).newValue
        let (scheduler, runner, name) = (scheduler, runner, name)
        // Rejects the request as soon as its timeout passes, even while every instance is busy.
        let reaper: Task<Void, Never>? = timeout > 0 && queuePolicy.timeoutAction == .reject ? Task {
            guard (try? await Task.sleep(nanoseconds: timeout.multipliedReportingOverflow(by: 1000).partialValue)) != nil,
                  let expired = scheduler.withdraw(ticket: ticket) else { return }
            runner.fail(expired, Self.timeoutError(expired, modelName: name))
        } : nil
        defer { reaper?.cancel() }
        outstanding.started()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let pending = PendingRequest(
                    ticket: ticket, id: request.id, inputs: checked.inputs, outputs: checked.outputs,
                    batchSize: checked.batchSize, signature: checked.signature, priorityLevel: level,
                    timeoutAction: queuePolicy.timeoutAction, timeoutMicroseconds: timeout, enqueuedAt: arrived,
                    completion: { continuation.resume(returning: $0) })
                do throws(ServingError) {
                    try scheduler.submit(pending)
                } catch {
                    recorder.recordRequest(succeeded: false, nanoseconds: MonotonicClock.now() - arrived)
                    outstanding.finished()
                    continuation.resume(returning: .failure(error))
                }
            }
        } onCancel: {
            if let cancelled = scheduler.withdraw(ticket: ticket) {
                runner.fail(cancelled, .unavailable("the request to model '\(name)' was cancelled while queued"))
            }
        }
        return try result.get()
    }

    /// Stops accepting (new requests → `.unavailable`), finishes queued and in-flight requests
    /// and waits until every instance thread has exited.
    public func shutdown() async {
        scheduler.stopAccepting()
        await exits.waitForAll()
        if let shadow {
            shadow.stop()
            await shadow.waitForExit()
        }
    }

    /// What the serving model holds now (`ServedModel.memoryHeld(model:plannedArenaBytes:kept:)`).
    var memoryHeld: MemoryHeld {
        ServedModel.memoryHeld(model: model, plannedArenaBytes: plannedArenaBytes, kept: workers.map(\.keptBufferBytes))
    }

    /// Triton's statistics of this version; `residency.bytes` is `memoryBytes`, with the batch
    /// profile, the precision report and the shadow evaluation.
    public var statistics: ModelStatistics {
        var snapshot = recorder.snapshot
        snapshot.residency.bytes = UInt64(memoryBytes)
        snapshot.batchProfile = batchProfile
        snapshot.precision = precision
        snapshot.shadow = shadow?.statistics
        return snapshot
    }

    /// Requests queued or running (the manager waits for 0 before unloading).
    public var pendingRequests: Int { outstanding.count }

    /// False once `shutdown` began.
    public var isAcceptingRequests: Bool { scheduler.isAccepting }

    /// Requests waiting in the queue (not yet in a batch).
    public var queuedRequests: Int { scheduler.queuedCount }

    /// The instances and what each uses.
    public var instances: [InstanceInfo] {
        workers.map { InstanceInfo(index: $0.plan.index, threads: $0.plan.threads, cores: $0.appliedCores) }
    }
}
