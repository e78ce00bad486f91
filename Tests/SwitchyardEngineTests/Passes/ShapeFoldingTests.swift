import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct ShapeFoldingTests {
    typealias Kit = PassTestKit

    /// y = Reshape(x, [Shape(x)[0], Shape(x)[1] * Shape(x)[2] ... ]) as exporters write flattening.
    static func flattenGraph(batch: Dimension) -> Graph {
        Graph(
            nodes: [
                Kit.node("Shape", ["x"], ["s"]),
                Kit.node("Gather", ["s", "zero"], ["n"], ["axis": .int(0)]),
                Kit.node("Gather", ["s", "restAxes"], ["rest"], ["axis": .int(0)]),
                Kit.node("ReduceProd", ["rest"], ["features"], ["keepdims": .int(1)]),
                Kit.node("Unsqueeze", ["n", "axis0"], ["n1"]),
                Kit.node("Concat", ["n1", "features"], ["target"], ["axis": .int(0)]),
                Kit.node("Reshape", ["x", "target"], ["y"]),
                Kit.node("Size", ["x"], ["count"]),
            ],
            inputs: [Kit.input("x", [batch, .fixed(3), .fixed(4)])],
            outputs: [ValueInfo(name: "y"), ValueInfo(name: "count")],
            initializers: ["zero": Tensor(scalar: Int64(0)), "restAxes": Kit.int64s([1, 2]), "axis0": Kit.int64s([0])])
    }

    @Test func symbolicBatchKeepsOnlyTheUnknownPart() throws {
        let graph = Self.flattenGraph(batch: .symbolic("N"))
        let (after, changes) = Kit.run(ShapeFolding(), on: graph)
        // The static part [3, 4] -> 12 folds; the batch entry and the Size stay.
        #expect(changes.contains { $0.contains("ReduceProd") })
        #expect(after.initializers["features"]?.ints() == [12])
        #expect(after.nodes.contains { $0.opType == "Size" })
        #expect(after.nodes.contains { $0.opType == "Reshape" })

        var generator = Kit.Generator(seed: 51)
        let loaded = try Kit.expectSameOutputs(Kit.model(graph), inputs: ["x": Kit.tensor([2, 3, 4], &generator)])
        #expect(loaded.graph.valueInfo["y"]?.shape == [.symbolic("N"), .fixed(12)])
    }

    @Test func fixedShapesFoldCompletely() throws {
        let graph = Self.flattenGraph(batch: .fixed(2))
        var generator = Kit.Generator(seed: 52)
        let loaded = try Kit.expectSameOutputs(Kit.model(graph), inputs: ["x": Kit.tensor([2, 3, 4], &generator)])
        #expect(Kit.opTypes(loaded.graph) == ["Reshape"])
        #expect(loaded.graph.initializers["count"]?.ints() == [24])
    }
}
