import SwitchyardGraph
import SwitchyardTensor
import Testing
@testable import switchyard

@Suite struct CostTests {
    @Test func convolutionAndMatrixProductsCountMultiplyAdds() {
        let conv = Node(opType: "Conv", inputs: ["x", "w", "b"], outputs: ["y"], attributes: ["group": .int(2)])
        // 2 × (N·M·H·W) × (C/group · kH · kW) + one bias add per output.
        let convShapes = ["x": [1, 4, 10, 10], "w": [6, 2, 3, 3], "b": [6], "y": [1, 6, 8, 8]]
        #expect(NodeFlops.count(conv, shapes: convShapes) == 2 * 384 * 18 + 384)

        let transposed = Node(opType: "ConvTranspose", inputs: ["x", "w"], outputs: ["y"])
        #expect(NodeFlops.count(transposed, shapes: ["x": [1, 4, 5, 5], "w": [4, 3, 2, 2], "y": [1, 3, 10, 10]]) == 2 * 100 * 12)

        let matmul = Node(opType: "MatMul", inputs: ["a", "b"], outputs: ["c"])
        #expect(NodeFlops.count(matmul, shapes: ["a": [2, 5, 7], "b": [7, 3], "c": [2, 5, 3]]) == 2 * 30 * 7)

        let gemm = Node(opType: "Gemm", inputs: ["a", "b", "c"], outputs: ["y"], attributes: ["transA": .int(1)])
        #expect(NodeFlops.count(gemm, shapes: ["a": [7, 5], "b": [7, 3], "c": [3], "y": [5, 3]]) == 2 * 15 * 7 + 15)
    }

    @Test func otherOperatorsCountOnePerOutputElement() {
        let split = Node(opType: "Split", inputs: ["x"], outputs: ["a", "", "c"])
        #expect(NodeFlops.count(split, shapes: ["x": [4, 6], "a": [4, 2], "c": [4, 4]]) == 24)
        #expect(NodeFlops.count(Node(opType: "Relu", inputs: ["x"], outputs: ["y"]), shapes: [:]) == nil)
    }

    /// `inspect`'s "engine runs" line: the optimized graph's operators, a fused activation named
    /// after a `+` (a Conv followed by `x · Sigmoid(x)` becomes one FusedConv+Swish).
    @Test func inspectCountsTheOptimizedGraphsOperatorsWithFusedActivations() throws {
        var random = SplitMix64(seed: 12)
        let graph = Graph(
            nodes: [Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["c"], attributes: ["kernel_shape": .ints([1, 1])]),
                    Node(name: "gate", opType: "Sigmoid", inputs: ["c"], outputs: ["g"]),
                    Node(name: "silu", opType: "Mul", inputs: ["c", "g"], outputs: ["y"])],
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(1), .fixed(4), .fixed(5), .fixed(5)])],
            outputs: [ValueInfo(name: "y")],
            initializers: ["w": Tensor(shape: [6, 4, 1, 1], scalars: (0..<24).map { _ in Float.random(in: -0.5...0.5, using: &random) })])
        let report = try InspectCommand.report(for: Model(opsetImports: ["": 13], graph: graph), shapes: [:])
        #expect(report.engineOperators == ["FusedConv+Swish": 1])
        #expect(InspectCommand.text(report, path: "m.onnx").contains("engine runs (optimized graph, 1 nodes):\n  FusedConv+Swish 1"))
    }

    /// x → A → B → C with a skip from A to C: A stays alive until C reads it.
    @Test func peakActivationsFollowLiveness() {
        let graph = Graph(
            nodes: [Node(opType: "Relu", inputs: ["x"], outputs: ["a"]),
                    Node(opType: "Relu", inputs: ["a"], outputs: ["b"]),
                    Node(opType: "Add", inputs: ["a", "b"], outputs: ["c"]),
                    Node(opType: "Relu", inputs: ["c"], outputs: ["d"])],
            inputs: [ValueInfo(name: "x")], outputs: [ValueInfo(name: "d")],
            initializers: ["unused": Tensor(zeros: .float32, shape: [1000])]
        )
        let bytes = ["x": 100, "a": 10, "b": 1000, "c": 20, "d": 5]
        // Step 2 holds a, b and the new c.
        #expect(ActivationLiveness.peakBytes(of: graph, bytes: bytes) == 1030)
        #expect(ActivationLiveness.peakBytes(of: graph, bytes: ["x": 100, "a": 10, "b": 1, "c": 1, "d": 1]) == 110)
    }

    @Test func summaryCountsSubgraphNodesAndWeights() {
        let body = Graph(nodes: [Node(opType: "Relu", inputs: ["x"], outputs: ["y"])], outputs: [ValueInfo(name: "y")],
                         initializers: ["k": Tensor(zeros: .float16, shape: [3])])
        let graph = Graph(
            nodes: [Node(opType: "Relu", inputs: ["x"], outputs: ["r"]),
                    Node(opType: "If", inputs: ["c"], outputs: ["o"], attributes: ["then_branch": .graph(body), "else_branch": .graph(body)]),
                    Node(opType: "FusedConv", domain: "ai.switchyard", inputs: ["r"], outputs: ["f"]),
                    Node(opType: "Constant", inputs: [], outputs: ["k2"], attributes: ["value": .tensor(Tensor(zeros: .int64, shape: [4]))])],
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("n"), .unknown, .fixed(3)])],
            initializers: ["w": Tensor(zeros: .float32, shape: [2, 5])]
        )
        let summary = ModelSummary(Model(opsetImports: ["": 17, "ai.switchyard": 1], metadata: ["b": "1", "a": "2"], graph: graph))
        #expect(summary.opCounts == ["Relu": 3, "If": 1, "ai.switchyard.FusedConv": 1, "Constant": 1])
        #expect(summary.nodeCount == 6)
        #expect(summary.parameterCount == 10 + 3 + 3 + 4)
        #expect(summary.weightBytes == 40 + 6 + 6 + 32)
        #expect(summary.inputs == [ModelSummary.Value(name: "x", dtype: "float", dims: ["n", "?", "3"])])
        #expect(summary.metadataKeys == ["a", "b"])
        #expect(summary.opsets == ["ai.onnx": 17, "ai.switchyard": 1])
    }

    @Test func statistics() {
        #expect(Statistics.median([5, 1, 3]) == 3)
        #expect(Statistics.median([4, 1, 3, 2]) == 2.5)
        #expect(abs(Statistics.percentile(Array(1...11).map(Double.init), 90) - 10) < 1e-12)
        #expect(abs(Statistics.geometricMean([1, 4, 16]) - 4) < 1e-12)
    }

    @Test func outputAgreement() {
        let ours = Tensor(shape: [3], scalars: [Float(1), 2.5, .nan])
        let theirs = Tensor(shape: [3], scalars: [Float(1), 2, .nan])
        let agreement = OutputAgreement.compare(name: "y", ours: ours, theirs: theirs)
        #expect(agreement.maxAbsoluteError == 0.5)
        #expect(agreement.maxRelativeError == 0.25)
        #expect(agreement.mismatch == nil)
        #expect(OutputAgreement.compare(name: "y", ours: ours, theirs: Tensor(shape: [1, 3], scalars: [Float(1), 2, 3])).mismatch != nil)
    }
}
