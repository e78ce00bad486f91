import Foundation
import Testing
@testable import SwitchyardONNX
import SwitchyardGraph
import SwitchyardTensor

@Suite struct FunctionInliningTests {
    /// `ScaledLeakyRelu(x) = LeakyRelu(x * scale, alpha)`, with `alpha` defaulting to 0.1.
    private var scaledLeakyRelu: Onnx_FunctionProto {
        var function = Onnx_FunctionProto()
        function.name = "ScaledLeakyRelu"
        function.domain = "local"
        function.input = ["x", "scale"]
        function.output = ["y"]
        function.attribute = []
        function.attributeProto = [Proto.attribute("alpha", float: 0.1)]
        function.node = [
            Proto.node("Mul", ["x", "scale"], ["scaled"]),
            Proto.node("LeakyRelu", ["scaled"], ["y"], attributes: [Proto.attribute("alpha", referring: "alpha", type: .float)]),
        ]
        function.opsetImport = [Proto.opsetID("", 17)]
        return function
    }

    /// `Twice(x) = ScaledLeakyRelu(ScaledLeakyRelu(x, s), s)` with the alpha the caller gives, run in an If branch.
    private var twice: Onnx_FunctionProto {
        var function = Onnx_FunctionProto()
        function.name = "Twice"
        function.domain = "local"
        function.input = ["x", "s"]
        function.output = ["y"]
        function.attribute = ["a"]
        function.node = [
            Proto.node("ScaledLeakyRelu", ["x", "s"], ["mid"], domain: "local",
                       attributes: [Proto.attribute("alpha", referring: "a", type: .float)]),
            Proto.node("ScaledLeakyRelu", ["mid", "s"], ["y"], domain: "local",
                       attributes: [Proto.attribute("alpha", referring: "a", type: .float)]),
        ]
        return function
    }

    @Test func inlinesCallsWithAttributesDefaultsAndFreshNames() throws {
        let graph = Proto.graph(nodes: [
            Proto.node("ScaledLeakyRelu", ["in", "k"], ["first"], name: "call1", domain: "local",
                       attributes: [Proto.attribute("alpha", float: 0.5)]),
            Proto.node("ScaledLeakyRelu", ["first", "k"], ["second"], name: "call2", domain: "local"),
        ], inputs: [Proto.value("in", .float32, [4])], outputs: [Proto.value("second", .float32, [4])],
           initializers: [Proto.floats("k", [], [3])])
        let model = try ModelLoader.load(
            data: Proto.bytes(Proto.model(graph, extraOpsets: ["local": 1], functions: [scaledLeakyRelu])), baseDirectory: nil)
        let nodes = model.graph.nodes
        #expect(nodes.map(\.opType) == ["Mul", "LeakyRelu", "Mul", "LeakyRelu"])
        #expect(nodes[0].inputs == ["in", "k"])
        #expect(nodes[1].outputs == ["first"])
        #expect(nodes[2].inputs == ["first", "k"])
        #expect(nodes[3].outputs == ["second"])
        // The internal value gets a distinct fresh name per call.
        #expect(nodes[0].outputs == nodes[1].inputs && nodes[2].outputs == nodes[3].inputs)
        #expect(nodes[0].outputs != nodes[2].outputs)
        #expect(!["in", "k", "first", "second", "scaled"].contains(nodes[0].outputs[0]))
        guard case .float(let given)? = nodes[1].attributes["alpha"],
              case .float(let defaulted)? = nodes[3].attributes["alpha"] else {
            Issue.record("alpha not substituted: \(nodes[1].attributes), \(nodes[3].attributes)")
            return
        }
        #expect(given == 0.5 && defaulted == Float(0.1))
        #expect(nodes[0].name == "call1/Mul")
    }

    @Test func inlinesNestedCallsInsideSubgraphs() throws {
        let branch = Proto.graph("then", nodes: [
            Proto.node("Twice", ["x", "s"], ["t"], domain: "local", attributes: [Proto.attribute("a", float: 0.25)]),
        ], outputs: [Proto.value("t", .float32, [2])])
        let graph = Proto.graph(nodes: [
            Proto.node("If", ["flag"], ["y"], attributes: [
                Proto.attribute("then_branch", graph: branch),
                Proto.attribute("else_branch", graph: Proto.graph("else", nodes: [Proto.node("Identity", ["x"], ["e"])],
                                                                   outputs: [Proto.value("e", .float32, [2])])),
            ]),
        ], inputs: [Proto.value("flag", .bool, []), Proto.value("x", .float32, [2]), Proto.value("s", .float32, [])])
        let model = try ModelLoader.load(
            data: Proto.bytes(Proto.model(graph, extraOpsets: ["local": 1], functions: [twice, scaledLeakyRelu])), baseDirectory: nil)
        guard case .graph(let then)? = model.graph.nodes[0].attributes["then_branch"] else {
            Issue.record("no then_branch")
            return
        }
        #expect(then.nodes.map(\.opType) == ["Mul", "LeakyRelu", "Mul", "LeakyRelu"])
        #expect(then.nodes[0].inputs == ["x", "s"] && then.nodes[3].outputs == ["t"])
        #expect(then.nodes[1].outputs == then.nodes[2].inputs.prefix(1).map { $0 })
        for node in then.nodes where node.opType == "LeakyRelu" {
            guard case .float(let alpha)? = node.attributes["alpha"] else {
                Issue.record("alpha missing on \(node.name)")
                continue
            }
            #expect(alpha == 0.25)
        }
        #expect(model.graph.allNodes().allSatisfy { $0.domain == "" })
    }

    @Test func rejectsRecursiveFunctions() {
        var loop = Onnx_FunctionProto()
        loop.name = "Loopy"
        loop.domain = "local"
        loop.input = ["x"]
        loop.output = ["y"]
        loop.node = [Proto.node("Loopy", ["x"], ["y"], domain: "local")]
        let graph = Proto.graph(nodes: [Proto.node("Loopy", ["a"], ["b"], domain: "local")])
        #expect(loadError(Proto.bytes(Proto.model(graph, extraOpsets: ["local": 1], functions: [loop])))
            .contains("function 'Loopy' calls itself"))
    }

    @Test func rejectsUndeclaredAttributesAndExtraInputs() {
        let extraAttribute = Proto.graph(nodes: [
            Proto.node("ScaledLeakyRelu", ["a", "b"], ["c"], domain: "local", attributes: [Proto.attribute("beta", float: 1)]),
        ])
        #expect(loadError(Proto.bytes(Proto.model(extraAttribute, extraOpsets: ["local": 1], functions: [scaledLeakyRelu])))
            .contains("passes attribute 'beta'"))
        let extraInput = Proto.graph(nodes: [Proto.node("ScaledLeakyRelu", ["a", "b", "c"], ["d"], domain: "local")])
        #expect(loadError(Proto.bytes(Proto.model(extraInput, extraOpsets: ["local": 1], functions: [scaledLeakyRelu])))
            .contains("with 3 inputs"))
    }
}
