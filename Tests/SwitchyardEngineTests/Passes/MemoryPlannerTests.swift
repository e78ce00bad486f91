import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct MemoryPlannerTests {
    typealias Kit = PassTestKit

    /// A random DAG of elementwise and reshaping nodes over values of different sizes.
    static func randomGraph(seed: UInt64, nodeCount: Int) -> (Graph, [String: [Int]]) {
        var generator = Kit.Generator(seed: seed)
        var nodes: [Node] = []
        var shapes: [String: [Int]] = ["x": [4, 8]]
        var available = ["x"]
        for index in 0..<nodeCount {
            let a = available.randomElement(using: &generator)!
            let b = available.randomElement(using: &generator)!
            let name = "v\(index)"
            if shapes[a] == shapes[b] && Bool.random(using: &generator) {
                nodes.append(Kit.node("Add", [a, b], [name]))
                shapes[name] = shapes[a]
            } else {
                // The planner never evaluates nodes: any size-changing op will do.
                nodes.append(Kit.node("Tile", [a, "repeats"], [name]))
                shapes[name] = [Int.random(in: 1...256, using: &generator), 8]
            }
            available.append(name)
            // Keep the working set bounded so lifetimes end.
            if available.count > 6 { available.remove(at: Int.random(in: 0..<available.count, using: &generator)) }
        }
        let graph = Graph(nodes: nodes, inputs: [Kit.input("x", [.fixed(4), .fixed(8)])],
                          outputs: [ValueInfo(name: "v\(nodeCount - 1)")])
        return (graph, shapes)
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func liveValuesNeverShareBytes(seed: UInt64) {
        let (graph, shapes) = Self.randomGraph(seed: seed, nodeCount: 60)
        let types = shapes.mapValues { _ in DataType.float32 }
        let plan = MemoryPlanner.plan(graph: graph, shapes: shapes, dataTypes: types)
        let allocations = Array(plan.allocations.values)
        #expect(allocations.count == 59, "every intermediate but the output is planned")
        for (i, a) in allocations.enumerated() {
            #expect(a.offset % MemoryPlanner.alignment == 0)
            #expect(a.byteCount >= shapes[a.name]!.reduce(1, *) * 4)
            #expect(a.offset + a.byteCount <= plan.arenaBytes)
            for b in allocations[(i + 1)...] where a.livesAlongside(b) {
                #expect(!a.overlapsInMemory(b), "\(a.name) and \(b.name) are live together and overlap")
            }
        }
        #expect(plan.arenaBytes < plan.naiveBytes)
        // At some step the live values need at least as much as the arena's lower bound.
        let peak = (0..<graph.nodes.count).map { step in
            allocations.filter { $0.firstStep <= step && step <= $0.lastStep }.reduce(0) { $0 + $1.byteCount }
        }.max() ?? 0
        #expect(plan.arenaBytes >= peak)
    }

    @Test func lifetimesFollowReadersIncludingSubgraphCaptures() {
        let body = Graph(nodes: [Kit.node("Neg", ["a"], ["t"])], outputs: [ValueInfo(name: "t")])
        let graph = Graph(
            nodes: [
                Kit.node("Relu", ["x"], ["a"]),
                Kit.node("Sigmoid", ["x"], ["b"]),
                Kit.node("If", ["cond"], ["c"], ["then_branch": .graph(body), "else_branch": .graph(body)]),
                Kit.node("Add", ["b", "c"], ["y"]),
            ],
            inputs: [Kit.input("x", [.fixed(16)]), Kit.input("cond", [], .bool)], outputs: [ValueInfo(name: "y")])
        let shapes: [String: [Int]] = ["a": [16], "b": [16], "c": [16]]
        let plan = MemoryPlanner.plan(graph: graph, shapes: shapes, dataTypes: shapes.mapValues { _ in .float32 })
        #expect(plan.allocations["a"]?.lastStep == 2, "read by the If's branch")
        #expect(plan.allocations["b"]?.lastStep == 3)
        #expect(plan.allocations["y"] == nil, "graph outputs live outside the arena")
        #expect(plan.dynamicValues.isEmpty)
    }

    @Test func plansAreCachedPerSignatureAndEvicted() throws {
        let graph = Graph(
            nodes: [Kit.node("Relu", ["x"], ["r"]), Kit.node("Neg", ["r"], ["n"]), Kit.node("Abs", ["n"], ["y"])],
            inputs: [Kit.input("x", [.symbolic("N"), .fixed(4)])], outputs: [ValueInfo(name: "y")])
        let loaded = try LoadedModel(model: Kit.model(graph), options: LoadOptions(planCacheCapacity: 2))
        #expect(try loaded.arenaBytes(for: ["x": [1, 4]]) == 128)
        #expect(try loaded.arenaBytes(for: ["x": [100, 4]]) == 2 * 1600)
        _ = try loaded.memoryPlan(for: ["x": [1, 4]])
        _ = try loaded.memoryPlan(for: ["x": [7, 4]])
        #expect(loaded.cachedPlanSignatures == [["x": [1, 4]], ["x": [7, 4]]])
        #expect(throws: EngineError.self) { try loaded.arenaBytes(for: ["x": [1, 5]]) }
    }
}
