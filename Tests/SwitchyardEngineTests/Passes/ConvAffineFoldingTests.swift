import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct ConvAffineFoldingTests {
    typealias Kit = PassTestKit

    /// x[1,3,6,6] -> Conv(4 filters 3x3, pad 1) [-> bias] -> y
    static func convGraph(bias: Bool, _ generator: inout Kit.Generator) -> Graph {
        var initializers = ["w": Kit.tensor([4, 3, 3, 3], &generator)]
        if bias { initializers["b"] = Kit.tensor([4], &generator) }
        let conv = Kit.node("Conv", bias ? ["x", "w", "b"] : ["x", "w"], ["y"],
                            ["kernel_shape": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])])
        return Graph(nodes: [conv], inputs: [Kit.input("x", [.fixed(1), .fixed(3), .fixed(6), .fixed(6)])],
                     outputs: [ValueInfo(name: "y")], initializers: initializers)
    }

    static func appendBatchNorm(to graph: inout Graph, _ generator: inout Kit.Generator) {
        graph.initializers["scale"] = Kit.tensor([4], &generator)
        graph.initializers["shift"] = Kit.tensor([4], &generator)
        graph.initializers["mean"] = Kit.tensor([4], &generator)
        graph.initializers["var"] = Kit.positive([4], &generator)
        graph.nodes[0].outputs = ["c"]
        graph.nodes.append(Kit.node("BatchNormalization", ["c", "scale", "shift", "mean", "var"], ["y"], ["epsilon": .float(1e-3)]))
    }

    @Test(arguments: [false, true])
    func batchNormFoldsIntoConv(withBias: Bool) throws {
        var generator = Kit.Generator(seed: withBias ? 11 : 12)
        var graph = Self.convGraph(bias: withBias, &generator)
        Self.appendBatchNorm(to: &graph, &generator)

        let (after, changes) = Kit.run(ConvAffineFolding(), on: graph)
        #expect(Kit.opTypes(after) == ["Conv"])
        #expect(after.nodes[0].outputs == ["y"])
        #expect(after.nodes[0].inputs.count == 3, "a missing bias is created")
        #expect(changes.count == 1)
        try Kit.expectSameOutputs(Kit.model(graph), inputs: ["x": Kit.tensor([1, 3, 6, 6], &generator)])
    }

    @Test func batchNormStaysWhenConvOutputHasAnotherReader() throws {
        var generator = Kit.Generator(seed: 13)
        var graph = Self.convGraph(bias: true, &generator)
        Self.appendBatchNorm(to: &graph, &generator)
        graph.nodes.append(Kit.node("Relu", ["c"], ["r"]))
        graph.outputs.append(ValueInfo(name: "r"))

        let (after, changes) = Kit.run(ConvAffineFolding(), on: graph)
        #expect(Kit.opTypes(after) == ["Conv", "BatchNormalization", "Relu"])
        #expect(changes.isEmpty)
        try Kit.expectSameOutputs(Kit.model(graph), inputs: ["x": Kit.tensor([1, 3, 6, 6], &generator)])
    }

    /// PaddleOCR's learnable affine block: Conv -> Mul(scalar) -> Add(scalar), and a bias added
    /// as a separate per-channel `Add`, and `Sub`/`Div` by per-channel constants.
    @Test func scalarAndPerChannelArithmeticFoldsIntoConv() throws {
        var generator = Kit.Generator(seed: 14)
        var graph = Self.convGraph(bias: false, &generator)
        graph.initializers["k"] = Tensor(shape: [1], scalars: [Float(1.7)])
        graph.initializers["channelBias"] = Kit.tensor([1, 4, 1, 1], &generator)
        graph.initializers["channelDivisor"] = Kit.positive([4, 1, 1], &generator)
        graph.initializers["offset"] = Tensor(scalar: Float(0.25))
        graph.nodes[0].outputs = ["c"]
        graph.nodes += [
            Kit.node("Mul", ["k", "c"], ["m"]),
            Kit.node("Add", ["m", "channelBias"], ["a"]),
            Kit.node("Div", ["a", "channelDivisor"], ["d"]),
            Kit.node("Sub", ["d", "offset"], ["y"]),
        ]
        let (after, changes) = Kit.run(ConvAffineFolding(), on: graph)
        #expect(Kit.opTypes(after) == ["Conv"])
        #expect(changes.count == 4)
        try Kit.expectSameOutputs(Kit.model(graph), inputs: ["x": Kit.tensor([1, 3, 6, 6], &generator)])
    }

    @Test func constantThatChangesTheShapeIsNotFolded() {
        var generator = Kit.Generator(seed: 15)
        var graph = Self.convGraph(bias: true, &generator)
        // [6] broadcasts along the width, not the channels.
        graph.initializers["row"] = Kit.tensor([6], &generator)
        graph.initializers["big"] = Kit.tensor([2, 4, 1, 1], &generator)
        graph.nodes[0].outputs = ["c"]
        graph.nodes += [Kit.node("Add", ["c", "row"], ["a"]), Kit.node("Mul", ["a", "big"], ["y"])]
        let (after, changes) = Kit.run(ConvAffineFolding(), on: graph)
        #expect(Kit.opTypes(after) == ["Conv", "Add", "Mul"])
        #expect(changes.isEmpty)
        // `x - c` would be affine; `c - x` is not a per-channel scale the pass handles.
        var reversed = Self.convGraph(bias: true, &generator)
        reversed.initializers["c0"] = Kit.tensor([4, 1, 1], &generator)
        reversed.nodes[0].outputs = ["c"]
        reversed.nodes.append(Kit.node("Sub", ["c0", "c"], ["y"]))
        #expect(Kit.run(ConvAffineFolding(), on: reversed).1.isEmpty)
    }
}
