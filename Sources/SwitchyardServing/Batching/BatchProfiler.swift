import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor
import Synchronization

/// Times a model at batch sizes 1, 2, 4, … up to its max_batch_size on random non-zero inputs,
/// on an instance's own session and thread, within a time budget.
struct BatchProfiler: Sendable {
    var modelName: String
    var maxBatchSize: Int
    /// Whole profile, warm-ups included; sizes not reached in time are not measured.
    var budgetNanoseconds: UInt64 = 1_000_000_000
    /// Timed runs per size after one warm-up; the fastest counts.
    var timedRuns = 3

    /// The sizes profiled: powers of two below max, then max.
    var batchSizes: [Int] {
        guard maxBatchSize >= 1 else { return [] }
        var sizes: [Int] = []
        var size = 1
        while size < maxBatchSize {
            sizes.append(size)
            size *= 2
        }
        return sizes + [maxBatchSize]
    }

    /// The concrete input shapes for `batchSize` items: the batch dim first, the other dims
    /// from the config where the model leaves them free, else `freeDimension`. Throws a reason
    /// when a dim has no size.
    static func inputShapes(model: LoadedModel, configDims: [String: [Int64]], batchSize: Int,
                            batching: Bool, freeDimension: Int? = nil) throws(ProfileSkip) -> [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        for input in model.inputs {
            guard let declared = input.shape else {
                throw ProfileSkip("input '\(input.name)' has no declared rank")
            }
            let config = configDims[input.name] ?? []
            var shape: [Int] = []
            for (axis, dimension) in declared.enumerated() {
                if batching && axis == 0 {
                    shape.append(batchSize)
                    continue
                }
                let configAxis = batching ? axis - 1 : axis
                if config.count == (batching ? declared.count - 1 : declared.count), config[configAxis] > 0 {
                    shape.append(Int(config[configAxis]))
                } else if let fixed = dimension.fixedValue ?? freeDimension {
                    shape.append(fixed)
                } else {
                    throw ProfileSkip("input '\(input.name)' dimension \(axis) ('\(dimension)') has no size in the model or the config dims")
                }
            }
            shapes[input.name] = shape
        }
        return shapes
    }

    /// Measures every size it can within the budget. Throws `ProfileSkip` when the model
    /// cannot be profiled (free dims without a size, string inputs, a failing run).
    func measure(session: Session, configDims: [String: [Int64]]) throws(ProfileSkip) -> [BatchProfile.Measurement] {
        var generator = SplitMix64(seed: 0x5EED)
        let start = MonotonicClock.now()
        var measurements: [BatchProfile.Measurement] = []
        for size in batchSizes {
            if !measurements.isEmpty && MonotonicClock.now() - start > budgetNanoseconds { break }
            let shapes = try Self.inputShapes(model: session.loadedModel, configDims: configDims,
                                              batchSize: size, batching: true)
            var inputs: [String: Tensor] = [:]
            for info in session.inputs {
                inputs[info.name] = try Self.randomTensor(info, shape: shapes[info.name] ?? [], using: &generator)
            }
            var fastest = UInt64.max
            for run in 0...timedRuns {
                let runStart = MonotonicClock.now()
                do {
                    _ = try session.run(inputs)
                } catch {
                    throw ProfileSkip("a run at batch \(size) failed: \(error)")
                }
                if run > 0 { fastest = min(fastest, MonotonicClock.now() - runStart) }
                if run > 0 && MonotonicClock.now() - start > budgetNanoseconds { break }
            }
            measurements.append(.init(batchSize: size, millisecondsPerBatch: Double(fastest) / 1e6))
        }
        return measurements
    }

    private static func randomTensor(_ info: ValueInfo, shape: [Int], using generator: inout SplitMix64) throws(ProfileSkip) -> Tensor {
        guard let dataType = info.dataType, dataType != .string else {
            throw ProfileSkip("input '\(info.name)' is \(info.dataType.map(\.description) ?? "of unknown type"); the profile only makes numeric inputs")
        }
        let count = shape.reduce(1, *)
        if dataType.isFloatingPoint {
            let values = (0..<count).map { _ in Double.random(in: 0.1...1, using: &generator) }
            return Tensor(dataType: dataType, shape: shape, doubles: values)
        }
        // 1 is a valid index, id or flag for nearly every integer input.
        return Tensor(dataType: dataType, shape: shape, int64s: Array(repeating: 1, count: count))
    }
}

/// What the profiling instance measured, handed to the loader waiting on another thread.
final class ProfileOutcome: Sendable {
    private let result = Mutex<Result<[BatchProfile.Measurement], ProfileSkip>?>(nil)
    var value: Result<[BatchProfile.Measurement], ProfileSkip>? { result.withLock { $0 } }
    func set(_ value: Result<[BatchProfile.Measurement], ProfileSkip>) { result.withLock { $0 = value } }
}

/// Why a model was not profiled.
struct ProfileSkip: Error, Sendable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
