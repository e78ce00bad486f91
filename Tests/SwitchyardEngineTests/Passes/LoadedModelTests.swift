import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct LoadedModelTests {
    typealias Kit = PassTestKit

    @Test func everyUnsupportedOperatorIsReportedAtOnce() {
        let body = Graph(nodes: [Kit.node("Frobnicate", ["x"], ["t"])], outputs: [ValueInfo(name: "t")])
        let graph = Graph(
            nodes: [
                Kit.node("Relu", ["x"], ["r"]),
                Kit.node("Twiddle", ["r"], ["a"], domain: "com.example"),
                Kit.node("If", ["cond"], ["b"], ["then_branch": .graph(body), "else_branch": .graph(body)]),
                Kit.node("Add", ["a", "b"], ["y"]),
            ],
            inputs: [Kit.input("x", [.fixed(2)]), Kit.input("cond", [], .bool)], outputs: [ValueInfo(name: "y")])
        do {
            _ = try LoadedModel(model: Kit.model(graph))
            Issue.record("loading should fail")
        } catch .unsupportedOperators(let operators) {
            let names = Set(operators.map(\.opType))
            #expect(names.isSuperset(of: ["Twiddle", "Frobnicate"]))
            #expect(operators.first { $0.opType == "Twiddle" }?.domain == "com.example")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func sessionsShareOneLoadedModelAndValidateInputs() throws {
        var generator = Kit.Generator(seed: 91)
        let graph = Graph(
            nodes: [Kit.node("MatMul", ["x", "w"], ["m"]), Kit.node("Relu", ["m"], ["y"])],
            inputs: [Kit.input("x", [.symbolic("N"), .fixed(3)])], outputs: [ValueInfo(name: "y")],
            initializers: ["w": Kit.tensor([3, 2], &generator)])
        let loaded = try LoadedModel(model: Kit.model(graph))
        #expect(loaded.weightBytes == 24)
        #expect(loaded.changes.contains { $0.pass == "matmul-fusion" })
        let fast = try Session(model: loaded)
        let oracle = try Session(model: loaded, options: SessionOptions(referenceOnly: true))
        let x = Kit.tensor([4, 3], &generator)
        // oneDNN sums in its own order: equal within rounding, not bit for bit.
        let got = try #require(try fast.run(["x": x])["y"]), want = try #require(try oracle.run(["x": x])["y"])
        #expect(got.shape == want.shape)
        #expect(Kit.maxRelativeError(got.doubles(), want.doubles()) < 1e-5)
        #expect(throws: EngineError.self) { try fast.run(["x": Kit.tensor([4, 2], &generator)]) }
        #expect(throws: EngineError.self) { try fast.run(["y": x]) }
    }
}
