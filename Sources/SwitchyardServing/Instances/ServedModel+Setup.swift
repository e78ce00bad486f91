import SwitchyardEngine
import Synchronization

/// One instance of a served model, as `ServedModel.instances` reports it.
public struct InstanceInfo: Sendable, Equatable {
    public var index: Int
    /// Threads its session computes with.
    public var threads: Int
    /// The cores its thread may run on, read back from the thread itself (`sched_getaffinity`);
    /// nil where that cannot be read.
    public var cores: [Int]?
}

/// Requests accepted and not yet answered.
final class OutstandingRequests: Sendable {
    private let value = Atomic<Int>(0)
    var count: Int { value.load(ordering: .relaxed) }
    func started() { value.add(1, ordering: .relaxed) }
    func finished() { value.subtract(1, ordering: .relaxed) }
}

extension ServedModel {
    /// Most items per batch: max_batch_size, or less when the model fixes its batch dim.
    static func batchLimit(policy: BatchingPolicy, model: LoadedModel) -> Int {
        let fixedBatch = model.inputs.compactMap { $0.shape?.first?.fixedValue }.filter { $0 > 0 }.min()
        return max(1, min(policy.maxBatchSize, fixedBatch ?? .max))
    }

    /// The profile to report and follow, from what instance 0 measured.
    static func profile(policy: BatchingPolicy, formation: BatchFormation,
                        measured: Result<[BatchProfile.Measurement], ProfileSkip>?) -> BatchProfile {
        guard formation.merges, formation.limit > 1 else {
            return BatchProfile(measurements: [], chosenBatchSize: max(1, policy.maxBatchSize), choice: .notBatching)
        }
        let measurements = (try? measured?.get()) ?? []
        if let preferred = formation.preferredSizes.last {
            return BatchProfile(measurements: measurements, chosenBatchSize: preferred, choice: .configured)
        }
        switch measured {
        case .success(let measurements):
            if let best = BatchProfile.bestBatchSize(of: measurements, maxBatchSize: formation.limit) {
                return BatchProfile(measurements: measurements, chosenBatchSize: best, choice: .measured)
            }
            return BatchProfile(measurements: measurements, chosenBatchSize: formation.limit,
                                choice: .skipped(reason: "no batch size could be timed"))
        case .failure(let skip):
            return BatchProfile(measurements: [], chosenBatchSize: formation.limit, choice: .skipped(reason: skip.reason))
        case nil:
            return BatchProfile(measurements: [], chosenBatchSize: formation.limit, choice: .skipped(reason: "not profiled"))
        }
    }

    static func timeoutError(_ request: PendingRequest, modelName: String) -> ServingError {
        let which = request.id.isEmpty ? "a request" : "request '\(request.id)'"
        return .deadlineExceeded("\(which) to model '\(modelName)' timed out: it waited in the queue longer than its timeout of \(request.timeoutMicroseconds) µs")
    }

    /// The arena one instance plans for a batch of max_batch_size (dims free in both the model
    /// and the config count as 1, so an image model with free sizes plans small until it runs).
    static func plannedArenaBytes(model: LoadedModel, configDims: [String: [Int64]], maxBatchSize: Int) -> Int {
        let shapes = try? BatchProfiler.inputShapes(model: model, configDims: configDims, batchSize: max(1, maxBatchSize),
                                                    batching: maxBatchSize > 0, freeDimension: 1)
        return shapes.flatMap { try? model.arenaBytes(for: $0) } ?? 0
    }

    /// What `instances` sessions over `model` hold: the weights, their copy packed for oneDNN
    /// (one for all sessions), and per instance the larger of the planned arena and what the
    /// instance keeping the most keeps between runs (`kept`): each may come to run the largest
    /// batch and image.
    static func memoryHeld(model: LoadedModel, plannedArenaBytes: Int, kept: [Int]) -> MemoryHeld {
        MemoryHeld(weightBytes: model.weightBytes, packedWeightBytes: model.packedWeightBytes,
                   arenaBytes: max(1, kept.count) * max(plannedArenaBytes, kept.max() ?? 0))
    }
}
