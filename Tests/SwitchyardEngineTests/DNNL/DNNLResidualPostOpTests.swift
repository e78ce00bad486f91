import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// A binary operator followed by a second binary step with a tensor made before it, as one oneDNN
/// binary primitive with a binary post-op (`DNNLBinaryOperation.residual`): PP-OCR det's
/// squeeze-excitation `c + c · s`.
@Suite("DNNL residual binary post-op")
struct DNNLResidualPostOpTests {
    /// conv → c ─┬→ GlobalAveragePool → 1×1 conv → HardSigmoid → s
    ///           └→ Mul(c, s) → m → `step`(c, m) or (m, c) → Relu → r → conv → y
    static func squeezeExcitation(step: String, valueFirst: Bool, seed: UInt64) -> Graph {
        var generator = SeededGenerator(seed: seed)
        let nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "gap", opType: "GlobalAveragePool", inputs: ["c"], outputs: ["g"]),
            Node(name: "fc", opType: "Conv", inputs: ["g", "wf"], outputs: ["f"]),
            Node(name: "gate", opType: "HardSigmoid", inputs: ["f"], outputs: ["s"]),
            Node(name: "scale", opType: "Mul", inputs: ["c", "s"], outputs: ["m"]),
            Node(name: "residual", opType: step, inputs: valueFirst ? ["m", "c"] : ["c", "m"], outputs: ["a"]),
            Node(name: "relu", opType: "Relu", inputs: ["a"], outputs: ["r"]),
            Node(name: "head", opType: "Conv", inputs: ["r", "wh"], outputs: ["y"]),
        ]
        let initializers: [String: Tensor] = [
            "w": generator.tensor([16, 4, 3, 3], in: -0.3...0.3), "b": generator.tensor([16]),
            "wf": generator.tensor([16, 16, 1, 1], in: -0.3...0.3), "wh": generator.tensor([8, 16, 1, 1], in: -0.3...0.3),
        ]
        return Graph(name: "se", nodes: nodes, inputs: [ValueInfo(name: "x")], outputs: [ValueInfo(name: "y")],
                     initializers: initializers)
    }

    /// Checks the member that computes the Mul and the results; returns the plan's primitive count.
    @discardableResult
    private func check(_ graph: Graph, fusedMember: [String]?) throws -> Int {
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: DNNLRegionTests.opsets)
        #expect(partitioned.nodes.map(\.opType) == ["DNNLRegion"])
        let kernel = try #require(DNNLKernels.makeKernel(for: partitioned.nodes[0], opset: 1, constants: graph.initializers))
        let scale = try #require(kernel.members.first { $0.originals.contains { $0.node.name == "scale" } })
        #expect(scale.originals.map(\.node.name) == fusedMember ?? ["scale"], "\(kernel.members.map { $0.originals.map(\.node.name) })")
        var generator = SeededGenerator(seed: 7)
        for batch in [1, 3] {
            let x = generator.tensor([batch, 4, 9, 11])
            let reference = try DNNLRegionTests.program(graph, dnnl: false).run(inputs: [x])[0]
            let fused = try DNNLRegionTests.program(partitioned, dnnl: true).run(inputs: [x])[0]
            #expect(fused.shape == reference.shape)
            #expect(DNNLHarness.maxError(fused, reference) <= 1e-5)
        }
        _ = try kernel.run(partitioned.nodes[0].inputs.map { $0 == "x" ? generator.tensor([2, 4, 9, 11]) : graph.initializers[$0] })
        #expect(kernel.fallbackReason == nil, "\(kernel.fallbackReason ?? "")")
        return kernel.implementationNames.count
    }

    @Test("x + x·s and x·s + x: the Mul, the Add and the Relu after them are one member", arguments: [true, false])
    func addFuses(valueFirst: Bool) throws {
        try check(Self.squeezeExcitation(step: "Add", valueFirst: valueFirst, seed: 11),
                  fusedMember: ["scale", "residual", "relu"])
    }

    @Test func mulFuses() throws {
        try check(Self.squeezeExcitation(step: "Mul", valueFirst: false, seed: 12), fusedMember: ["scale", "residual", "relu"])
    }

    @Test("x·s − x fuses; x − x·s (the Mul's result second) stays two members")
    func subFusesOnlyWithTheValueFirst() throws {
        let fused = try check(Self.squeezeExcitation(step: "Sub", valueFirst: true, seed: 13), fusedMember: ["scale", "residual", "relu"])
        let apart = try check(Self.squeezeExcitation(step: "Sub", valueFirst: false, seed: 14), fusedMember: nil)
        // Fused, the residual step is a post-op of the Mul's primitive, not a primitive of its own.
        #expect(fused + 1 == apart)
    }

    /// The second operand is made after the Mul (by a node that reads the Mul's input later):
    /// the Mul, whose only reader is the step, moves after it and the two fuse.
    @Test func anOperandMadeAfterTheHeadMovesTheHead() throws {
        var graph = Self.squeezeExcitation(step: "Add", valueFirst: true, seed: 15)
        let index = try #require(graph.nodes.firstIndex { $0.name == "residual" })
        graph.nodes[index].inputs = ["m", "late"]
        graph.nodes.insert(Node(name: "late", opType: "Sigmoid", inputs: ["c"], outputs: ["late"]), at: index)
        try check(graph, fusedMember: ["scale", "residual", "relu"])
    }

    /// PP-OCR det's FPN: `(c + c·s) + up`, where `up` is computed between the two Adds. The Mul
    /// and the first Add move after it, and all three are one primitive with two binary post-ops.
    @Test func aChainOfStepsIsOnePrimitive() throws {
        var graph = Self.squeezeExcitation(step: "Add", valueFirst: false, seed: 16)
        let index = try #require(graph.nodes.firstIndex { $0.name == "relu" })
        graph.nodes[index].inputs = ["sum"]
        graph.nodes.insert(contentsOf: [
            Node(name: "up", opType: "Sigmoid", inputs: ["c"], outputs: ["up"]),
            Node(name: "fpn", opType: "Add", inputs: ["a", "up"], outputs: ["sum"]),
        ], at: index)
        try check(graph, fusedMember: ["scale", "residual", "fpn", "relu"])
        // With the first Add's result read twice, the chain stops there.
        graph.nodes.append(Node(name: "also", opType: "Relu", inputs: ["a"], outputs: ["z"]))
        graph.outputs.append(ValueInfo(name: "z"))
        try check(graph, fusedMember: ["scale", "residual"])
    }
}
