import Testing
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

/// A model with operators the engine has no kernel for fails at load time, listing all of them.
@Suite struct UnsupportedOperatorTests {
    @Test func twoUnknownOperatorsAreListedTogether() throws {
        let session = try BadInput.clsSession()
        let nodes = [
            Node(name: "first_unknown", opType: "FrobnicateA", inputs: ["x"], outputs: ["a"]),
            Node(name: "relu", opType: "Relu", inputs: ["a"], outputs: ["b"]),
            Node(name: "second_unknown", opType: "FrobnicateB", inputs: ["b"], outputs: ["y"]),
        ]
        let graph = Graph(name: "unknown_ops", nodes: nodes,
                          inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(2)])],
                          outputs: [ValueInfo(name: "y", dataType: .float32)])
        let error = BadInput.error { _ = try LoadedModel(model: Model(opsetImports: ["": 17], graph: graph)) }
        guard case .unsupportedOperators(let operators)? = error as? EngineError else {
            Issue.record("expected EngineError.unsupportedOperators, got \(String(describing: error))")
            return
        }
        #expect(operators.count == 2)
        #expect(operators.map(\.opType).sorted() == ["FrobnicateA", "FrobnicateB"])
        #expect(operators.map(\.nodeName).sorted() == ["first_unknown", "second_unknown"])
        #expect(operators.map(\.opset) == [17, 17])
        let message = String(describing: error!)
        for text in ["FrobnicateA", "first_unknown", "FrobnicateB", "second_unknown", "opset 17"] {
            #expect(message.contains(text), "\(message) names \(text)")
        }
        try BadInput.expectValidRun(session)
    }
}
