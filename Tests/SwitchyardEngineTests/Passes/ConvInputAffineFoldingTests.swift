import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct ConvInputAffineFoldingTests {
    typealias Kit = PassTestKit

    /// x -> Relu -> Mul(a) -> Add(b) -> Conv(pads) -> y
    static func graph(pads: [Int], group: Int = 1, _ generator: inout Kit.Generator) -> Graph {
        let inputChannels = 4
        return Graph(
            nodes: [
                Kit.node("Relu", ["x"], ["r"]),
                Kit.node("Mul", ["a", "r"], ["scaled"]),
                Kit.node("Add", ["scaled", "b"], ["shifted"]),
                Kit.node("Conv", ["shifted", "w", "bias"], ["y"],
                         ["kernel_shape": .ints([3, 3]), "pads": .ints(pads), "group": .int(group)]),
            ],
            inputs: [Kit.input("x", [.fixed(2), .fixed(inputChannels), .fixed(6), .fixed(6)])],
            outputs: [ValueInfo(name: "y")],
            initializers: [
                "a": Tensor(shape: [1], scalars: [Float(0.7)]), "b": Tensor(scalar: Float(-0.3)),
                "w": Kit.tensor([6, inputChannels / group, 3, 3], &generator), "bias": Kit.tensor([6], &generator),
            ])
    }

    @Test(arguments: [1, 2])
    func scalarAffineFoldsIntoAnUnpaddedConv(group: Int) throws {
        var generator = Kit.Generator(seed: UInt64(120 + group))
        let graph = Self.graph(pads: [0, 0, 0, 0], group: group, &generator)
        let (after, changes) = Kit.run(ConvInputAffineFolding(), on: graph)
        #expect(Kit.opTypes(after) == ["Relu", "Conv"])
        #expect(after.nodes[1].inputs[0] == "r")
        #expect(changes.count == 2)
        try Kit.expectSameOutputs(Kit.model(graph), inputs: ["x": Kit.tensor([2, 4, 6, 6], &generator)])
    }

    @Test func paddedConvKeepsTheAffineMap() throws {
        var generator = Kit.Generator(seed: 123)
        let graph = Self.graph(pads: [1, 1, 1, 1], &generator)
        let (after, changes) = Kit.run(ConvInputAffineFolding(), on: graph)
        #expect(changes.isEmpty)
        #expect(Kit.opTypes(after) == ["Relu", "Mul", "Add", "Conv"])
        try Kit.expectSameOutputs(Kit.model(graph), inputs: ["x": Kit.tensor([2, 4, 6, 6], &generator)])
    }

    @Test func sharedAffineResultIsKept() {
        var generator = Kit.Generator(seed: 124)
        var graph = Self.graph(pads: [0, 0, 0, 0], &generator)
        graph.outputs.append(ValueInfo(name: "shifted"))
        let (after, changes) = Kit.run(ConvInputAffineFolding(), on: graph)
        #expect(changes.isEmpty)
        #expect(after.nodes.count == 4)
    }
}
