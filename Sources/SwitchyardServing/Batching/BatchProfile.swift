/// What the load-time profile measured and which batch limit the batcher uses.
///
/// On a CPU a bigger batch is not always faster per item; the batcher never grows a batch past
/// `chosenBatchSize`.
public struct BatchProfile: Sendable, Equatable, CustomStringConvertible {
    /// One measured batch size.
    public struct Measurement: Sendable, Equatable {
        public var batchSize: Int
        /// Fastest timed run, milliseconds per batch.
        public var millisecondsPerBatch: Double
        public var itemsPerSecond: Double { millisecondsPerBatch > 0 ? Double(batchSize) * 1000 / millisecondsPerBatch : 0 }

        public init(batchSize: Int, millisecondsPerBatch: Double) {
            self.batchSize = batchSize
            self.millisecondsPerBatch = millisecondsPerBatch
        }
    }

    /// Why `chosenBatchSize` has its value.
    public enum Choice: Sendable, Equatable {
        /// The model takes no batch or does not merge requests (max_batch_size ≤ 1 or no
        /// dynamic_batching): nothing to profile.
        case notBatching
        /// The largest measured size within `BatchProfile.tolerance` of the best items/s.
        case measured
        /// The config's `preferred_batch_size` sets it (the largest one); measurements are informative.
        case configured
        /// Profiling was skipped (the reason says why); batches grow to max_batch_size.
        case skipped(reason: String)
    }

    /// Sizes whose items/s is within this fraction of the best count as equally fast.
    public static let tolerance = 0.05

    public var measurements: [Measurement]
    public var chosenBatchSize: Int
    public var choice: Choice

    public init(measurements: [Measurement], chosenBatchSize: Int, choice: Choice) {
        self.measurements = measurements
        self.chosenBatchSize = chosenBatchSize
        self.choice = choice
    }

    /// The largest measured batch size whose items/s is within `tolerance` of the best: past it,
    /// a bigger batch costs throughput. Among sizes that fast the largest wins, because a batch
    /// in the server also pays per-call costs the profile does not see (the handoff to the
    /// instance, splitting the outputs, waking each waiting request), and a brief profile on a
    /// shared machine cannot tell sizes a few percent apart. (Measured: a profile that read the
    /// PP-OCR classifier's batch 2 within 1 % of batch 4 capped it at 2, and the server at
    /// concurrency 8 ran 1,169 requests/s, against 1,419 in a run whose profile allowed bigger
    /// batches.) When the choice is the largest
    /// size measured and the profile stopped short of `maxBatchSize` (its time ran out), bigger
    /// batches may still pay, so the answer is `maxBatchSize`. Nil when nothing was measured.
    public static func bestBatchSize(of measurements: [Measurement], maxBatchSize: Int) -> Int? {
        let sorted = measurements.sorted { $0.batchSize < $1.batchSize }
        guard let best = sorted.map(\.itemsPerSecond).max(), best > 0,
              let chosen = sorted.last(where: { $0.itemsPerSecond * (1 + tolerance) >= best })?.batchSize
        else { return nil }
        return chosen == sorted.last?.batchSize ? max(chosen, maxBatchSize) : chosen
    }

    public var description: String {
        var rows = measurements.map {
            "batch \($0.batchSize): \(Self.format($0.millisecondsPerBatch)) ms, \(Self.format($0.itemsPerSecond)) items/s"
        }
        if let largest = measurements.map(\.batchSize).max(), largest < chosenBatchSize, choice == .measured {
            rows.append("sizes above \(largest) not measured in time")
        }
        return (rows + ["chosen batch size \(chosenBatchSize) (\(reason))"]).joined(separator: "; ")
    }

    /// Why the chosen size was chosen, in words.
    public var reason: String {
        switch choice {
        case .notBatching: "no dynamic batching"
        case .measured: "measured"
        case .configured: "preferred_batch_size"
        case .skipped(let reason): "profile skipped: \(reason)"
        }
    }

    private static func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return "\(rounded)"
    }
}
