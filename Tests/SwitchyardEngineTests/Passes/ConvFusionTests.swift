import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct ConvFusionTests {
    typealias Kit = PassTestKit

    /// x[2,4,5,5] -> Conv(4 filters 3x3, pad 1, bias) -> c, then `tail`; output y.
    static func graph(_ tail: [Node], extraOutputs: [String] = [], _ generator: inout Kit.Generator) -> Graph {
        let conv = Kit.node("Conv", ["x", "w", "b"], ["c"], ["kernel_shape": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])])
        return Graph(
            nodes: [conv] + tail,
            inputs: [Kit.input("x", [.symbolic("N"), .fixed(4), .fixed(5), .fixed(5)])],
            outputs: (["y"] + extraOutputs).map { ValueInfo(name: $0) },
            initializers: [
                "w": Kit.tensor([4, 4, 3, 3], &generator), "b": Kit.tensor([4], &generator),
                "three": Tensor(scalar: Float(3)), "zero": Tensor(scalar: Float(0)), "six": Tensor(scalar: Float(6)),
            ])
    }

    static func check(_ graph: Graph, expectOps: [String], activation: String?, hasSum: Bool,
                      _ generator: inout Kit.Generator) throws {
        let loaded = try Kit.expectSameOutputs(Kit.model(graph), inputs: ["x": Kit.tensor([2, 4, 5, 5], &generator)])
        #expect(Kit.opTypes(loaded.graph) == expectOps)
        guard let fused = loaded.graph.nodes.first(where: { $0.opType == "FusedConv" }) else { return }
        #expect(fused.domain == "ai.switchyard")
        if case .string(let name)? = fused.attributes["activation"] { #expect(name == activation) } else { #expect(activation == nil) }
        #expect((fused.inputs.count == 4) == hasSum)
    }

    @Test func reluFuses() throws {
        var generator = Kit.Generator(seed: 21)
        let graph = Self.graph([Kit.node("Relu", ["c"], ["y"])], &generator)
        try Self.check(graph, expectOps: ["FusedConv"], activation: "Relu", hasSum: false, &generator)
    }

    @Test func residualAddThenActivationFuses() throws {
        var generator = Kit.Generator(seed: 22)
        let graph = Self.graph([Kit.node("Add", ["x", "c"], ["s"]), Kit.node("LeakyRelu", ["s"], ["y"], ["alpha": .float(0.2)])], &generator)
        try Self.check(graph, expectOps: ["FusedConv"], activation: "LeakyRelu", hasSum: true, &generator)
    }

    @Test func residualWithoutActivationFuses() throws {
        var generator = Kit.Generator(seed: 23)
        let graph = Self.graph([Kit.node("Add", ["c", "x"], ["y"])], &generator)
        try Self.check(graph, expectOps: ["FusedConv"], activation: nil, hasSum: true, &generator)
    }

    /// Swish (`x * Sigmoid(x)`, YOLOv8's activation) fuses by default (oneDNN's eltwise_swish
    /// post-op) and stays apart when not asked for.
    @Test func swishFuses() throws {
        var generator = Kit.Generator(seed: 26)
        let swish = Self.graph([Kit.node("Sigmoid", ["c"], ["s"]), Kit.node("Mul", ["c", "s"], ["y"])], &generator)
        try Self.check(swish, expectOps: ["FusedConv"], activation: "Swish", hasSum: false, &generator)
        let (unfused, none) = Kit.run(ConvFusion(activations: FusedActivation.allNames.subtracting(["Swish"])), on: swish)
        #expect(none.isEmpty)
        #expect(Kit.opTypes(unfused) == ["Conv", "Sigmoid", "Mul"])

        let (fused, changes) = Kit.run(ConvFusion(activations: FusedActivation.allNames), on: swish)
        #expect(changes.count == 1)
        #expect(Kit.opTypes(fused) == ["FusedConv"])
        #expect(fused.nodes[0].attributes["activation"].map { "\($0)" } == "\(Attribute.string("Swish"))")
        let x = Kit.tensor([2, 4, 5, 5], &generator)
        let expected = try Session(model: Kit.model(swish), options: SessionOptions(referenceOnly: true)).run(["x": x])["y"]!
        let actual = try Session(model: LoadedModel(model: Kit.model(fused), options: LoadOptions(optimize: false))).run(["x": x])["y"]!
        #expect(Kit.maxRelativeError(actual.doubles(), expected.doubles()) < 1e-5)
    }

    @Test func decomposedActivationsFuse() throws {
        var generator = Kit.Generator(seed: 24)

        let hardSwish = Self.graph([
            Kit.node("HardSigmoid", ["c"], ["h"], ["alpha": .float(1.0 / 6), "beta": .float(0.5)]),
            Kit.node("Mul", ["h", "c"], ["y"]),
        ], &generator)
        try Self.check(hardSwish, expectOps: ["FusedConv"], activation: "HardSwish", hasSum: false, &generator)

        // PaddleOCR: x * Clip(x + 3, 0, 6) / 6
        let paddle = Self.graph([
            Kit.node("Add", ["c", "three"], ["p"]), Kit.node("Clip", ["p", "zero", "six"], ["q"]),
            Kit.node("Mul", ["c", "q"], ["m"]), Kit.node("Div", ["m", "six"], ["y"]),
        ], &generator)
        try Self.check(paddle, expectOps: ["FusedConv"], activation: "HardSwish", hasSum: false, &generator)

        let relu6 = Self.graph([Kit.node("Clip", ["c", "zero", "six"], ["y"])], &generator)
        try Self.check(relu6, expectOps: ["FusedConv"], activation: "Clip", hasSum: false, &generator)

        let hardSigmoid = Self.graph([Kit.node("HardSigmoid", ["c"], ["y"], ["alpha": .float(0.3)])], &generator)
        try Self.check(hardSigmoid, expectOps: ["FusedConv"], activation: "HardSigmoid", hasSum: false, &generator)
    }

    @Test func intermediateWithAnotherReaderIsNotFused() throws {
        var generator = Kit.Generator(seed: 25)
        // The conv output is also a graph output: nothing may be fused into it.
        let exposed = Self.graph([Kit.node("Relu", ["c"], ["y"])], extraOutputs: ["c"], &generator)
        try Self.check(exposed, expectOps: ["Conv", "Relu"], activation: nil, hasSum: false, &generator)
        // The residual sum is read twice: the conv fuses nothing (Add then Relu stay).
        let shared = Self.graph([
            Kit.node("Add", ["c", "x"], ["s"]), Kit.node("Relu", ["s"], ["r"]), Kit.node("Mul", ["s", "r"], ["y"]),
        ], &generator)
        try Self.check(shared, expectOps: ["FusedConv", "Relu", "Mul"], activation: nil, hasSum: true, &generator)
        // A broken HardSwish (divides by 5) is not HardSwish.
        let wrong = Self.graph([
            Kit.node("Add", ["c", "three"], ["p"]), Kit.node("Clip", ["p", "zero", "six"], ["q"]),
            Kit.node("Mul", ["c", "q"], ["m"]), Kit.node("Div", ["m", "three"], ["y"]),
        ], &generator)
        try Self.check(wrong, expectOps: ["Conv", "Add", "Clip", "Mul", "Div"], activation: nil, hasSum: false, &generator)
    }
}
