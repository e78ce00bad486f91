import SwitchyardGraph
import SwitchyardTensor

/// Where each intermediate value of one run lives in a single arena, for one set of concrete
/// input shapes. Two values share bytes only when their lifetimes do not overlap.
public struct MemoryPlan: Sendable {
    /// One value's place in the arena and the steps (node indices) during which it is live.
    public struct Allocation: Sendable, Equatable {
        public let name: String
        public let offset: Int
        /// Bytes reserved, rounded up to the arena alignment.
        public let byteCount: Int
        /// Index of the node producing the value.
        public let firstStep: Int
        /// Index of the last node reading it (the producer's, when nothing reads it).
        public let lastStep: Int

        /// True when both are live at some step.
        public func livesAlongside(_ other: Allocation) -> Bool {
            firstStep <= other.lastStep && other.firstStep <= lastStep
        }

        /// True when their byte ranges intersect.
        public func overlapsInMemory(_ other: Allocation) -> Bool {
            offset < other.offset + other.byteCount && other.offset < offset + byteCount
        }
    }

    /// Every planned intermediate, by value name.
    public let allocations: [String: Allocation]
    /// Size of the arena: the highest end offset of any allocation.
    public let arenaBytes: Int
    /// What allocating every intermediate separately would take (sum of the aligned sizes).
    public let naiveBytes: Int
    /// Intermediates whose size is only known while running (data-dependent shapes); they are
    /// allocated on their own at run time.
    public let dynamicValues: [String]
}

/// Assigns arena offsets by liveness: greedy best-fit, largest values first. Each value is
/// placed in the smallest gap between values live at the same time that holds it, or after
/// all of them.
public enum MemoryPlanner {
    /// Offsets and sizes are multiples of this (what oneDNN and AVX-512 want).
    public static let alignment = TensorStorage.alignment

    /// Plans the intermediates of `graph` (not inputs, initializers or graph outputs) given the
    /// concrete `shapes` and `dataTypes` of its values.
    public static func plan(graph: Graph, shapes: [String: [Int]], dataTypes: [String: DataType]) -> MemoryPlan {
        let outputs = Set(graph.outputs.map(\.name))
        var firstStep: [String: Int] = [:]
        var lastStep: [String: Int] = [:]
        for (step, node) in graph.nodes.enumerated() {
            for name in node.inputs.filter({ !$0.isEmpty }) + Array(node.subgraphCaptures()) where firstStep[name] != nil {
                lastStep[name] = step
            }
            for name in node.outputs where !name.isEmpty && !outputs.contains(name) {
                firstStep[name] = step
                lastStep[name] = step
            }
        }
        var requests: [(name: String, bytes: Int, first: Int, last: Int)] = []
        var dynamic: [String] = []
        for (name, first) in firstStep {
            guard let shape = shapes[name], let dataType = dataTypes[name], dataType != .string else {
                dynamic.append(name)
                continue
            }
            let bytes = shape.reduce(1, *) * dataType.byteSize
            requests.append((name, aligned(max(bytes, 1)), first, lastStep[name]!))
        }
        // Largest first; ties by birth, then name, so plans are reproducible.
        requests.sort { ($0.bytes, -$0.first, $1.name) > ($1.bytes, -$1.first, $0.name) }

        var placed: [MemoryPlan.Allocation] = []
        var arenaBytes = 0
        for request in requests {
            let concurrent = placed
                .filter { $0.firstStep <= request.last && request.first <= $0.lastStep }
                .sorted { $0.offset < $1.offset }
            var best: (offset: Int, gap: Int)?
            var cursor = 0
            for other in concurrent {
                let gap = other.offset - cursor
                if gap >= request.bytes && (best == nil || gap < best!.gap) { best = (cursor, gap) }
                cursor = max(cursor, other.offset + other.byteCount)
            }
            let allocation = MemoryPlan.Allocation(name: request.name, offset: best?.offset ?? cursor, byteCount: request.bytes,
                                        firstStep: request.first, lastStep: request.last)
            placed.append(allocation)
            arenaBytes = max(arenaBytes, allocation.offset + allocation.byteCount)
        }
        return MemoryPlan(
            allocations: Dictionary(uniqueKeysWithValues: placed.map { ($0.name, $0) }),
            arenaBytes: arenaBytes,
            naiveBytes: requests.reduce(0) { $0 + $1.bytes },
            dynamicValues: dynamic.sorted())
    }

    static func aligned(_ bytes: Int) -> Int {
        (bytes + alignment - 1) / alignment * alignment
    }
}
