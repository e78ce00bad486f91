import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct ShapeInferenceTests {
    typealias Kit = PassTestKit

    /// A small detector head with a symbolic batch: conv, pool, shape-driven flatten, matmul,
    /// broadcasting and a data-dependent NonZero.
    static func graph() -> Graph {
        var generator = Kit.Generator(seed: 81)
        return Graph(
            nodes: [
                Kit.node("Conv", ["x", "w"], ["c"], ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])]),
                Kit.node("MaxPool", ["c"], ["p"], ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])]),
                Kit.node("Shape", ["p"], ["s"]),
                Kit.node("Gather", ["s", "zero"], ["n"], ["axis": .int(0)]),
                Kit.node("Unsqueeze", ["n", "axis0"], ["n1"]),
                Kit.node("Concat", ["n1", "minusOne"], ["target"], ["axis": .int(0)]),
                Kit.node("Reshape", ["p", "target"], ["flat"]),
                Kit.node("MatMul", ["flat", "fc"], ["logits"]),
                Kit.node("Add", ["logits", "rowBias"], ["biased"]),
                Kit.node("Greater", ["biased", "threshold"], ["mask"]),
                Kit.node("NonZero", ["mask"], ["hits"]),
                Kit.node("Transpose", ["c"], ["t"], ["perm": .ints([0, 2, 3, 1])]),
                Kit.node("Slice", ["t", "starts", "ends", "axes"], ["sliced"]),
            ],
            inputs: [Kit.input("x", [.symbolic("N"), .fixed(3), .fixed(16), .fixed(16)])],
            outputs: ["biased", "hits", "sliced"].map { ValueInfo(name: $0) },
            initializers: [
                "w": Kit.tensor([8, 3, 3, 3], &generator), "fc": Kit.tensor([128, 10], &generator),
                "rowBias": Kit.tensor([1, 10], &generator), "threshold": Tensor(scalar: Float(0)),
                "zero": Tensor(scalar: Int64(0)), "axis0": Kit.int64s([0]), "minusOne": Kit.int64s([-1]),
                "starts": Kit.int64s([1, 0]), "ends": Kit.int64s([Int(Int64.max), 5]), "axes": Kit.int64s([1, 3]),
            ])
    }

    @Test func symbolicBatchPropagates() {
        let facts = ShapeInference.infer(Self.graph(), opsets: ["": 17])
        let n = Dimension.symbolic("N")
        #expect(facts["c"]?.shape == [n, .fixed(8), .fixed(8), .fixed(8)])
        #expect(facts["p"]?.shape == [n, .fixed(8), .fixed(4), .fixed(4)])
        #expect(facts["s"]?.elements == [n, .fixed(8), .fixed(4), .fixed(4)])
        #expect(facts["target"]?.elements == [n, .fixed(-1)])
        #expect(facts["flat"]?.shape == [n, .fixed(128)])
        #expect(facts["logits"]?.shape == [n, .fixed(10)])
        #expect(facts["biased"]?.shape == [n, .fixed(10)])
        #expect(facts["mask"]?.dataType == .bool)
        #expect(facts["hits"]?.shape == [.fixed(2), .unknown], "data-dependent sizes stay unknown")
        #expect(facts["sliced"]?.shape == [n, .fixed(7), .fixed(8), .fixed(5)])
        #expect(facts["hits"]?.dataType == .int64)
    }

    @Test func concreteShapesFollowFromInputs() throws {
        let graph = Self.graph()
        let shapes = ShapeInference.inferConcreteShapes(graph, opsets: ["": 17], inputs: ["x": [2, 3, 16, 16]])
        #expect(shapes["flat"] == [2, 128])
        #expect(shapes["sliced"] == [2, 7, 8, 5])
        #expect(shapes["hits"] == nil)

        // Inference agrees with what the reference interpreter produces.
        var generator = Kit.Generator(seed: 82)
        var probe = graph
        probe.outputs = ["c", "p", "flat", "biased", "sliced"].map { ValueInfo(name: $0) }
        let session = try Session(model: LoadedModel(model: Kit.model(probe), options: LoadOptions(optimize: false)))
        let outputs = try session.run(["x": Kit.tensor([2, 3, 16, 16], &generator)])
        for (name, tensor) in outputs { #expect(shapes[name] == tensor.shape, "\(name)") }
    }

    @Test func broadcastingWithSymbolsNeverGuesses() {
        #expect(DimensionMath.broadcast(.symbolic("a"), .fixed(1)) == .symbolic("a"))
        #expect(DimensionMath.broadcast(.symbolic("a"), .fixed(5)) == .fixed(5))
        #expect(DimensionMath.broadcast(.symbolic("a"), .symbolic("b")) == .unknown)
        #expect(DimensionMath.broadcast(.unknown, .symbolic("b")) == .unknown)
        #expect(DimensionMath.broadcast([[.symbolic("a"), .fixed(1)], [.fixed(3)]]) == [.symbolic("a"), .fixed(3)])
    }

    @Test func annotatedModelCarriesShapesInValueInfo() throws {
        let loaded = try LoadedModel(model: Kit.model(Self.graph()), options: LoadOptions(optimize: false))
        #expect(loaded.graph.valueInfo["flat"]?.shape == [.symbolic("N"), .fixed(128)])
        #expect(loaded.graph.valueInfo["mask"]?.dataType == .bool)
        #expect(loaded.inferConcreteShapes(inputs: ["x": [3, 3, 16, 16]])["biased"] == [3, 10])
    }

    /// paddle2onnx names every unknown dimension `?`; that must not make them equal.
    @Test func questionMarkDimensionsAreIndependent() throws {
        let graph = Graph(nodes: [PassTestKit.node("Relu", ["x"], ["r"]), PassTestKit.node("Transpose", ["r"], ["y"])],
                          inputs: [PassTestKit.input("x", [.symbolic("?"), .fixed(3), .symbolic("?")])],
                          outputs: [ValueInfo(name: "y")])
        let facts = ShapeInference.infer(graph, opsets: ["": 17])
        #expect(facts["y"]?.shape == [.unknown, .fixed(3), .unknown])
        var generator = PassTestKit.Generator(seed: 83)
        let session = try Session(model: PassTestKit.model(graph))
        #expect(try session.run(["x": PassTestKit.tensor([2, 3, 5], &generator)])["y"]?.shape == [5, 3, 2])
        #expect(ShapeInference.inferConcreteShapes(graph, opsets: ["": 17], inputs: ["x": [2, 3, 5]])["y"] == [5, 3, 2])
    }
}
