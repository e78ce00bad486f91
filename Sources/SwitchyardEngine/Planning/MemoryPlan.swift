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

/// Assigns arena offsets by liveness (`ArenaPlacement`): greedy best-fit, largest values first.
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
        var names: [String] = []
        var requests: [ArenaPlacement.Request] = []
        var dynamic: [String] = []
        // By name, so ties between equal sizes and births place reproducibly.
        for (name, first) in firstStep.sorted(by: { $0.key < $1.key }) {
            guard let shape = shapes[name], let dataType = dataTypes[name], dataType != .string else {
                dynamic.append(name)
                continue
            }
            let bytes = shape.reduce(1, *) * dataType.byteSize
            names.append(name)
            requests.append(.init(bytes: aligned(max(bytes, 1)), first: first, last: lastStep[name]!))
        }
        let (offsets, arenaBytes) = ArenaPlacement.place(requests)
        var allocations: [String: MemoryPlan.Allocation] = [:]
        for (index, name) in names.enumerated() {
            let request = requests[index]
            allocations[name] = MemoryPlan.Allocation(name: name, offset: offsets[index], byteCount: request.bytes,
                                                      firstStep: request.first, lastStep: request.last)
        }
        return MemoryPlan(allocations: allocations, arenaBytes: arenaBytes,
                          naiveBytes: requests.reduce(0) { $0 + $1.bytes }, dynamicValues: dynamic)
    }

    static func aligned(_ bytes: Int) -> Int {
        (bytes + alignment - 1) / alignment * alignment
    }
}
