import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct LayerNormFusionTests {
    typealias Kit = PassTestKit

    /// LayerNorm over the last axis (8) of x[N, 5, 8], spelled in primitives.
    static func graph(scale: [Int]?, shift: [Int]?, _ generator: inout Kit.Generator) -> Graph {
        var nodes = [
            Kit.node("ReduceMean", ["x"], ["m"], ["axes": .ints([-1])]),
            Kit.node("Sub", ["x", "m"], ["d"]),
            Kit.node("Pow", ["d", "two"], ["p"]),
            Kit.node("ReduceMean", ["p"], ["v"], ["axes": .ints([2])]),
            Kit.node("Add", ["v", "eps"], ["ve"]),
            Kit.node("Sqrt", ["ve"], ["s"]),
            Kit.node("Div", ["d", "s"], ["n"]),
        ]
        var initializers = ["two": Tensor(scalar: Float(2)), "eps": Tensor(shape: [1], scalars: [Float(1e-5)])]
        var current = "n"
        if let scale {
            initializers["gamma"] = Kit.tensor(scale, &generator)
            nodes.append(Kit.node("Mul", [current, "gamma"], ["scaled"]))
            current = "scaled"
        }
        if let shift {
            initializers["beta"] = Kit.tensor(shift, &generator)
            nodes.append(Kit.node("Add", ["beta", current], ["shifted"]))
            current = "shifted"
        }
        nodes.append(Kit.node("Relu", [current], ["y"]))
        return Graph(nodes: nodes, inputs: [Kit.input("x", [.symbolic("N"), .fixed(5), .fixed(8)])],
                     outputs: [ValueInfo(name: "y")], initializers: initializers)
    }

    @Test func primitivesBecomeOneLayerNormalization() throws {
        var generator = Kit.Generator(seed: 111)
        let graph = Self.graph(scale: [8], shift: [1, 8], &generator)
        let loaded = try Kit.expectSameOutputs(Kit.model(graph, opset: 13), inputs: ["x": Kit.tensor([2, 5, 8], &generator)])
        #expect(Kit.opTypes(loaded.graph) == ["LayerNormalization", "Relu"])
        #expect(loaded.graph.nodes[0].inputs.count == 3)
    }

    @Test func withoutScaleOrShiftAUnitScaleIsMade() throws {
        var generator = Kit.Generator(seed: 112)
        let graph = Self.graph(scale: nil, shift: nil, &generator)
        let loaded = try Kit.expectSameOutputs(Kit.model(graph, opset: 13), inputs: ["x": Kit.tensor([3, 5, 8], &generator)])
        #expect(Kit.opTypes(loaded.graph) == ["LayerNormalization", "Relu"])
        #expect(loaded.graph.initializers[loaded.graph.nodes[0].inputs[1]]?.floats() == [Float](repeating: 1, count: 8))
    }

    @Test func sharedIntermediatesOrOtherAxesAreLeftAlone() throws {
        var generator = Kit.Generator(seed: 113)
        var shared = Self.graph(scale: [8], shift: nil, &generator)
        shared.outputs.append(ValueInfo(name: "v"))
        let (unchanged, changes) = Kit.run(LayerNormFusion(), on: shared, opset: 13)
        #expect(changes.isEmpty)
        #expect(unchanged.nodes.count == shared.nodes.count)

        var otherAxis = Self.graph(scale: nil, shift: nil, &generator)
        otherAxis.nodes[0].attributes["axes"] = .ints([1])
        otherAxis.nodes[3].attributes["axes"] = .ints([1])
        #expect(Kit.run(LayerNormFusion(), on: otherAxis, opset: 13).1.isEmpty)
        try Kit.expectSameOutputs(Kit.model(otherAxis, opset: 13), inputs: ["x": Kit.tensor([2, 5, 8], &generator)])
    }
}
