import Synchronization

/// Wall-clock time per executed node, summed over runs: where a session's time goes. Give one
/// to `SessionOptions.profile`; every `run` of that session then adds each step's duration
/// (a `DNNLRegion` node counts as one step, its member op types in its label).
///
/// Thread-safe; timing costs two clock reads per node.
public final class StepProfile: Sendable {
    /// The accumulated time of one node.
    public struct Entry: Sendable, Equatable {
        /// Node name (or a generated label for an unnamed node).
        public var node: String
        /// Op type; for a oneDNN region, `DNNLRegion[Conv,Add,…]`.
        public var opType: String
        public var calls: Int
        public var seconds: Double
    }

    private let entries = Mutex([String: Entry]())

    public init() {}

    /// Every node measured, slowest first.
    public var bySlowest: [Entry] {
        entries.withLock { Array($0.values) }.sorted { $0.seconds > $1.seconds }
    }

    /// Time summed per op type (a region's label includes its members), slowest first.
    public var byOpType: [Entry] {
        var merged: [String: Entry] = [:]
        for entry in bySlowest {
            merged[entry.opType, default: Entry(node: "", opType: entry.opType, calls: 0, seconds: 0)].calls += entry.calls
            merged[entry.opType]!.seconds += entry.seconds
        }
        return merged.values.sorted { $0.seconds > $1.seconds }
    }

    /// Forgets everything measured so far (e.g. after warm-up runs).
    public func reset() { entries.withLock { $0.removeAll() } }

    func record(node: String, opType: @autoclosure () -> String, seconds: Double) {
        entries.withLock { entries in
            if entries[node] == nil { entries[node] = Entry(node: node, opType: opType(), calls: 0, seconds: 0) }
            entries[node]!.calls += 1
            entries[node]!.seconds += seconds
        }
    }
}
