import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct IdentityEliminationTests {
    typealias Kit = PassTestKit

    @Test func identityAndDropoutGoAndOutputNamesStay() throws {
        let graph = Graph(
            nodes: [
                Kit.node("Relu", ["x"], ["r"]),
                Kit.node("Identity", ["r"], ["i"]),
                Kit.node("Dropout", ["i"], ["d", "mask"], ["ratio": .float(0.5)]),
                Kit.node("Sigmoid", ["d"], ["s"]),
                Kit.node("Identity", ["s"], ["y"]),
            ],
            inputs: [Kit.input("x", [.fixed(2), .fixed(3)])], outputs: [ValueInfo(name: "y")])
        let (after, changes) = Kit.run(IdentityElimination(), on: graph)
        #expect(Kit.opTypes(after) == ["Relu", "Sigmoid"])
        #expect(after.nodes.last?.outputs == ["y"])
        #expect(changes.count == 3)
        var generator = Kit.Generator(seed: 71)
        try Kit.expectSameOutputs(Kit.model(graph), inputs: ["x": Kit.tensor([2, 3], &generator)])
    }

    @Test func identityThatIsNeededStays() throws {
        // Graph input straight to graph output, and one value exposed under two output names.
        let graph = Graph(
            nodes: [Kit.node("Identity", ["x"], ["copy"]), Kit.node("Neg", ["x"], ["n"]), Kit.node("Identity", ["n"], ["alias"])],
            inputs: [Kit.input("x", [.fixed(2)])],
            outputs: [ValueInfo(name: "copy"), ValueInfo(name: "n"), ValueInfo(name: "alias")])
        let (after, changes) = Kit.run(IdentityElimination(), on: graph)
        #expect(Kit.opTypes(after) == ["Identity", "Neg", "Identity"])
        #expect(changes.isEmpty)
        // A Dropout whose mask is read is not an identity.
        let masked = Graph(nodes: [Kit.node("Dropout", ["x"], ["d", "mask"])], inputs: [Kit.input("x", [.fixed(2)])],
                           outputs: [ValueInfo(name: "d"), ValueInfo(name: "mask")])
        #expect(Kit.run(IdentityElimination(), on: masked).1.isEmpty)
        var generator = Kit.Generator(seed: 72)
        try Kit.expectSameOutputs(Kit.model(graph), inputs: ["x": Kit.tensor([2], &generator)])
    }
}
