import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct DeadNodeEliminationTests {
    typealias Kit = PassTestKit

    @Test func unusedNodesAndInitializersGo() throws {
        var generator = Kit.Generator(seed: 61)
        let graph = Graph(
            nodes: [
                Kit.node("Relu", ["x"], ["r"]),
                Kit.node("Mul", ["r", "unusedWeight"], ["dead1"]),
                Kit.node("Neg", ["dead1"], ["dead2"]),
                Kit.node("Sigmoid", ["r"], ["y"]),
            ],
            inputs: [Kit.input("x", [.fixed(4)])], outputs: [ValueInfo(name: "y")],
            initializers: ["unusedWeight": Kit.tensor([4], &generator)])
        let (after, changes) = Kit.run(DeadNodeElimination(), on: graph)
        #expect(Kit.opTypes(after) == ["Relu", "Sigmoid"])
        #expect(after.initializers.isEmpty)
        #expect(changes.count == 2)
        try Kit.expectSameOutputs(Kit.model(graph), inputs: ["x": Kit.tensor([4], &generator)])
    }

    /// A value read only inside an `If` branch (captured from the outer graph) must stay, and so
    /// must the node producing it; an unused node inside the branch goes.
    @Test func subgraphCapturesStayAlive() {
        let thenBranch = Graph(
            name: "then",
            nodes: [Kit.node("Neg", ["captured"], ["t"]), Kit.node("Abs", ["captured"], ["unusedInBranch"])],
            outputs: [ValueInfo(name: "t")])
        let elseBranch = Graph(name: "else", nodes: [Kit.node("Identity", ["x"], ["e"])], outputs: [ValueInfo(name: "e")])
        let graph = Graph(
            nodes: [
                Kit.node("Relu", ["x"], ["captured"]),
                Kit.node("Exp", ["x"], ["unused"]),
                Kit.node("If", ["cond"], ["y"], ["then_branch": .graph(thenBranch), "else_branch": .graph(elseBranch)]),
            ],
            inputs: [Kit.input("x", [.fixed(3)]), Kit.input("cond", [], .bool)], outputs: [ValueInfo(name: "y")])

        let (main, _) = Kit.run(DeadNodeElimination(), on: graph)
        #expect(Kit.opTypes(main) == ["Relu", "If"])

        let optimized = Optimizer.standard().optimize(Kit.model(graph)).model.graph
        #expect(Kit.opTypes(optimized) == ["Relu", "If"])
        guard case .graph(let branch)? = optimized.nodes.last?.attributes["then_branch"] else {
            Issue.record("the If lost its then branch")
            return
        }
        #expect(Kit.opTypes(branch) == ["Neg"], "the branch's own dead node goes, its capture stays")
    }
}
