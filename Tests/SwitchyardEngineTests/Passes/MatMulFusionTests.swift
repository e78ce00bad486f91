import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct MatMulFusionTests {
    typealias Kit = PassTestKit

    static func graph(biasShape: [Int]?, activation: Node?, _ generator: inout Kit.Generator) -> Graph {
        var nodes = [Kit.node("MatMul", ["a", "w"], ["m"])]
        var current = "m"
        var initializers = ["w": Kit.tensor([6, 5], &generator)]
        if let biasShape {
            initializers["bias"] = Kit.tensor(biasShape, &generator)
            nodes.append(Kit.node("Add", ["bias", current], ["biased"]))
            current = "biased"
        }
        if var activation {
            activation.inputs = [current]
            activation.outputs = ["activated"]
            nodes.append(activation)
            current = "activated"
        }
        nodes.append(Kit.node("Identity", [current], ["y"]))
        return Graph(nodes: nodes, inputs: [Kit.input("a", [.symbolic("batch"), .fixed(3), .fixed(6)])],
                     outputs: [ValueInfo(name: "y")], initializers: initializers)
    }

    @Test(arguments: [[5], [1, 5], [1, 1, 5]])
    func biasAndActivationFuse(biasShape: [Int]) throws {
        var generator = Kit.Generator(seed: UInt64(30 + biasShape.count))
        let graph = Self.graph(biasShape: biasShape, activation: Kit.node("Tanh", [], []), &generator)
        let loaded = try Kit.expectSameOutputs(Kit.model(graph), inputs: ["a": Kit.tensor([2, 3, 6], &generator)])
        #expect(Kit.opTypes(loaded.graph) == ["FusedMatMul"])
        let fused = loaded.graph.nodes[0]
        #expect(fused.outputs == ["y"], "the graph output keeps its name")
        #expect(fused.inputs.count == 3)
        #expect(loaded.graph.initializers[fused.inputs[2]]?.shape == [5])
    }

    @Test func biasWithoutActivationAndActivationWithoutBiasFuse() throws {
        var generator = Kit.Generator(seed: 34)
        let biasOnly = Self.graph(biasShape: [5], activation: nil, &generator)
        let loaded = try Kit.expectSameOutputs(Kit.model(biasOnly), inputs: ["a": Kit.tensor([1, 3, 6], &generator)])
        #expect(Kit.opTypes(loaded.graph) == ["FusedMatMul"])

        let reluOnly = Self.graph(biasShape: nil, activation: Kit.node("Relu", [], []), &generator)
        let relu = try Kit.expectSameOutputs(Kit.model(reluOnly), inputs: ["a": Kit.tensor([1, 3, 6], &generator)])
        #expect(Kit.opTypes(relu.graph) == ["FusedMatMul"])
        #expect(relu.graph.nodes[0].inputs.count == 2)
    }

    @Test func biasAlongAnotherAxisIsNotFused() throws {
        var generator = Kit.Generator(seed: 35)
        // [3, 1] broadcasts along the rows, not the columns.
        let graph = Self.graph(biasShape: [3, 1], activation: nil, &generator)
        let loaded = try Kit.expectSameOutputs(Kit.model(graph), inputs: ["a": Kit.tensor([2, 3, 6], &generator)])
        #expect(Kit.opTypes(loaded.graph) == ["MatMul", "Add"])
    }
}
