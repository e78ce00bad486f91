import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor
import Synchronization

/// Times a model at batch sizes 1, 2, 4, … up to its max_batch_size on random non-zero inputs,
/// on an instance's own session and thread, within a time budget.
struct BatchProfiler: Sendable {
    var modelName: String
    var maxBatchSize: Int
    /// Time for the warm-ups; sizes not reached in it are not measured. Timed rounds stop at
    /// twice it (at least one round runs).
    var budgetNanoseconds: UInt64 = 500_000_000
    /// Most timed rounds over the sizes.
    var maxRounds = 10

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
    ///
    /// Each size runs once to compile its plan (no new size starts after the budget is spent);
    /// then rounds run every warmed size once, interleaved so that load from other processes
    /// falls on all sizes alike, until twice the budget has passed. The fastest run of each
    /// size counts.
    func measure(session: Session, configDims: [String: [Int64]]) throws(ProfileSkip) -> [BatchProfile.Measurement] {
        guard let largest = batchSizes.last else { return [] }
        var generator = SplitMix64(seed: 0x5EED)
        let shapes = try Self.inputShapes(model: session.loadedModel, configDims: configDims,
                                          batchSize: largest, batching: true)
        var full: [String: Tensor] = [:]
        for info in session.inputs {
            full[info.name] = try Self.randomTensor(info, shape: shapes[info.name] ?? [], using: &generator)
        }
        let start = MonotonicClock.now()
        var warmed: [(size: Int, inputs: [String: Tensor])] = []
        for size in batchSizes {
            if !warmed.isEmpty && MonotonicClock.now() - start > budgetNanoseconds { break }
            let inputs = full.mapValues { Self.firstRows(size, of: $0) }
            _ = try run(session, inputs, size: size)
            warmed.append((size, inputs))
        }
        var fastest = [UInt64](repeating: .max, count: warmed.count)
        for _ in 0..<maxRounds {
            for (index, size) in warmed.enumerated() {
                fastest[index] = min(fastest[index], try run(session, size.inputs, size: size.size))
            }
            if MonotonicClock.now() - start > 2 * budgetNanoseconds { break }
        }
        return zip(warmed, fastest).map { .init(batchSize: $0.size, millisecondsPerBatch: Double($1) / 1e6) }
    }

    /// Runs one batch of one item (the model's own shape when it does not batch) on random
    /// non-zero inputs and returns the nanoseconds it took: the first run compiles the session's
    /// plan (oneDNN's JIT kernels, the arena), so a model that is not profiled warms up here
    /// instead of on its first request (Triton's `model_warmup`, done for every model).
    func warmUp(session: Session, configDims: [String: [Int64]], batching: Bool) throws(ProfileSkip) -> UInt64 {
        var generator = SplitMix64(seed: 0x5EED)
        let shapes = try Self.inputShapes(model: session.loadedModel, configDims: configDims, batchSize: 1, batching: batching)
        var inputs: [String: Tensor] = [:]
        for info in session.inputs {
            inputs[info.name] = try Self.randomTensor(info, shape: shapes[info.name] ?? [], using: &generator)
        }
        return try run(session, inputs, size: 1)
    }

    /// Nanoseconds one run took.
    private func run(_ session: Session, _ inputs: [String: Tensor], size: Int) throws(ProfileSkip) -> UInt64 {
        let start = MonotonicClock.now()
        do {
            _ = try session.run(inputs)
        } catch {
            throw ProfileSkip("a run at batch \(size) failed: \(error)")
        }
        return MonotonicClock.now() - start
    }

    /// The first `rows` items of a batch (rows are contiguous along dim 0).
    private static func firstRows(_ rows: Int, of tensor: Tensor) -> Tensor {
        guard tensor.shape.first != rows else { return tensor }
        let shape = [rows] + tensor.shape.dropFirst()
        let count = shape.reduce(1, *)
        return tensor.withUnsafeBytes { bytes in
            Tensor(dataType: tensor.dataType, shape: shape,
                   bytes: UnsafeRawBufferPointer(rebasing: bytes.prefix(count * tensor.dataType.byteSize)))
        }
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

/// What an instance's thread measured while setting up (the profile, the warm-up), handed to
/// the loader waiting on another thread.
final class InstanceOutcome<Value: Sendable>: Sendable {
    private let result = Mutex<Value?>(nil)
    var value: Value? { result.withLock { $0 } }
    func set(_ value: Value) { result.withLock { $0 = value } }
}

/// Why a model was not profiled.
struct ProfileSkip: Error, Sendable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
