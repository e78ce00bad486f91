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
    private let details = Mutex(Details())

    private struct Details {
        var byNode: [String: Int] = [:]
        var entries: [Entry] = []
        var count = 0
    }

    public init() {}

    /// Every node measured, slowest first.
    public var bySlowest: [Entry] {
        entries.withLock { Array($0.values) }.sorted { $0.seconds > $1.seconds }
    }

    /// Time summed per op type (a region's label includes its members), slowest first.
    public var byOpType: [Entry] { Self.summedByOpType(bySlowest) }

    /// `detail` summed per op type, slowest first: what a region's time is made of (its boundary
    /// reorders under the op type "(region boundary)").
    public var detailByOpType: [Entry] {
        Self.summedByOpType(detail.map { $0.node == Self.boundary ? Entry(node: "", opType: Self.boundary, calls: $0.calls, seconds: $0.seconds) : $0 })
    }

    /// The node name a region's boundary reorders are recorded under.
    public static let boundary = "(region boundary)"

    private static func summedByOpType(_ entries: [Entry]) -> [Entry] {
        var merged: [String: Entry] = [:]
        for entry in entries {
            merged[entry.opType, default: Entry(node: "", opType: entry.opType, calls: 0, seconds: 0)].calls += entry.calls
            merged[entry.opType]!.seconds += entry.seconds
        }
        return merged.values.sorted { $0.seconds > $1.seconds }
    }

    /// Time per node with every oneDNN region broken down into the nodes it computes (a fused
    /// member counts under its first node's name, with the reorders made for it; a region's
    /// boundary reorders under "(region boundary)"), in the order the nodes first ran. Per-layer
    /// costs come from here: `bySlowest` sees a region as one step. The break-down is exact when
    /// the session's runs do not overlap.
    public var detail: [Entry] { details.withLock { $0.entries } }

    /// Forgets everything measured so far (e.g. after warm-up runs).
    public func reset() {
        entries.withLock { $0.removeAll() }
        details.withLock { $0 = Details() }
    }

    /// Number of `recordDetail` calls so far (a step that made none is recorded as one node).
    var detailCount: Int { details.withLock { $0.count } }

    func recordDetail(node: String, opType: @autoclosure () -> String, seconds: Double) {
        details.withLock { details in
            details.count += 1
            if let index = details.byNode[node] {
                details.entries[index].calls += 1
                details.entries[index].seconds += seconds
            } else {
                details.byNode[node] = details.entries.count
                details.entries.append(Entry(node: node, opType: opType(), calls: 1, seconds: seconds))
            }
        }
    }

    func record(node: String, opType: @autoclosure () -> String, seconds: Double) {
        entries.withLock { entries in
            if entries[node] == nil { entries[node] = Entry(node: node, opType: opType(), calls: 0, seconds: 0) }
            entries[node]!.calls += 1
            entries[node]!.seconds += seconds
        }
    }

    /// Seconds from `started` until now (the profile's clock).
    static func seconds(since started: ContinuousClock.Instant) -> Double {
        let elapsed = (ContinuousClock.now - started).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
    }
}
