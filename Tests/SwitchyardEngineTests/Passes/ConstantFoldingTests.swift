import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct ConstantFoldingTests {
    typealias Kit = PassTestKit

    /// Weights in Constant nodes, transposed and scaled before use, the way exporters leave them.
    @Test func constantSubgraphsAreFoldedAndComputeTheSame() throws {
        var generator = Kit.Generator(seed: 41)
        let graph = Graph(
            nodes: [
                Kit.node("Constant", [], ["wt"], ["value": .tensor(Kit.tensor([5, 6], &generator))]),
                Kit.node("Constant", [], ["scale"], ["value_float": .float(0.5)]),
                Kit.node("Transpose", ["wt"], ["w"], ["perm": .ints([1, 0])]),
                Kit.node("Mul", ["w", "scale"], ["ws"]),
                Kit.node("MatMul", ["x", "ws"], ["y"]),
            ],
            inputs: [Kit.input("x", [.fixed(2), .fixed(6)])], outputs: [ValueInfo(name: "y")])
        let loaded = try Kit.expectSameOutputs(Kit.model(graph), inputs: ["x": Kit.tensor([2, 6], &generator)])
        #expect(Kit.opTypes(loaded.graph) == ["MatMul"])
        #expect(loaded.graph.initializers.count == 1, "the unused originals are dropped")
        #expect(loaded.weightBytes == 5 * 6 * 4)
        #expect(loaded.report.countsByPass["constant-folding"] == 2)
        #expect(loaded.report.countsByPass["constant-to-initializer"] == 1)
    }

    @Test func foldingRespectsTheSizeCap() throws {
        // ConstantOfShape([512, 512]) is 1 MiB of floats.
        let graph = Graph(
            nodes: [
                Kit.node("ConstantOfShape", ["shape"], ["big"], ["value": .tensor(Tensor(shape: [1], scalars: [Float(2)]))]),
                Kit.node("Add", ["x", "big"], ["y"]),
            ],
            inputs: [Kit.input("x", [.fixed(512), .fixed(512)])], outputs: [ValueInfo(name: "y")],
            initializers: ["shape": Kit.int64s([512, 512])])
        let (capped, cappedChanges) = Kit.run(ConstantFolding(), on: graph, limit: 1 << 19)
        #expect(cappedChanges.isEmpty)
        #expect(Kit.opTypes(capped) == ["ConstantOfShape", "Add"])
        let (folded, foldedChanges) = Kit.run(ConstantFolding(), on: graph, limit: 1 << 21)
        #expect(foldedChanges.count == 1)
        #expect(folded.initializers["big"]?.shape == [512, 512])

        var generator = Kit.Generator(seed: 42)
        try Kit.expectSameOutputs(Kit.model(graph), inputs: ["x": Kit.tensor([512, 512], &generator)],
                                  options: LoadOptions(foldingByteLimit: 1 << 19))
    }

    @Test func randomAndCapturedValuesAreNeverFolded() {
        let random = Graph(
            nodes: [Kit.node("RandomUniformLike", ["c"], ["r"]), Kit.node("Add", ["r", "x"], ["y"])],
            inputs: [Kit.input("x", [.fixed(2)])], outputs: [ValueInfo(name: "y")],
            initializers: ["c": Tensor(shape: [2], scalars: [Float(1), 2])])
        #expect(Kit.run(ConstantFolding(), on: random).1.isEmpty)

        // Inside a subgraph, `outer` comes from the enclosing scope: not a constant there, even
        // though the body's own `one` is.
        let body = Graph(nodes: [Kit.node("Add", ["outer", "one"], ["sum"]), Kit.node("Neg", ["one"], ["minusOne"]),
                                 Kit.node("Mul", ["sum", "minusOne"], ["out"])],
                         outputs: [ValueInfo(name: "out")], initializers: ["one": Tensor(scalar: Float(1))])
        var scope = PassScope(opsets: ["": 17])
        scope.outerFacts = ["outer": ValueFact(dataType: .float32, shape: [])]
        var optimized = body
        let changes = ConstantFolding().run(on: &optimized, scope: scope)
        #expect(changes.count == 1)
        #expect(Kit.opTypes(optimized) == ["Add", "Mul"])
        #expect(optimized.initializers["minusOne"]?.floats() == [-1])
    }
}
