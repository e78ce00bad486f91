import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite("DNNL matrix-product kernels")
struct DNNLMatMulTests {
    static let matMulShapes: [([Int], [Int])] = [
        ([3, 4], [4, 5]), ([7], [7, 3]), ([3, 7], [7]), ([2, 3, 4], [4, 6]), ([2, 3, 4], [2, 4, 6]),
        ([2, 1, 3, 4], [5, 4, 2]), ([1, 3, 4], [2, 4, 5]), ([64, 128], [128, 96]),
    ]

    @Test("MatMul matches the reference kernel", arguments: 0..<matMulShapes.count)
    func matMul(index: Int) throws {
        var generator = SeededGenerator(seed: 41)
        let (a, b) = Self.matMulShapes[index]
        let inputs: [Tensor?] = [generator.tensor(a), generator.tensor(b)]
        let node = DNNLHarness.node("MatMul", inputs: 2)
        try DNNLHarness.check(node, opset: 13, inputs: inputs)
        try DNNLHarness.check(node, opset: 13, inputs: inputs, constantIndices: [1])
    }

    @Test("FusedMatMul adds the bias and applies the activation", arguments: ["Relu", "Tanh", ""])
    func fusedMatMul(activation: String) throws {
        var generator = SeededGenerator(seed: 42)
        let a = generator.tensor([2, 5, 8]), b = generator.tensor([8, 6]), bias = generator.tensor([6])
        let product = try DNNLHarness.runReference(DNNLHarness.node("MatMul", inputs: 2), opset: 13, inputs: [a, b])
        var expected = try DNNLHarness.runReference(DNNLHarness.node("Add", inputs: 2), opset: 14, inputs: [product, bias])
        if !activation.isEmpty {
            expected = try DNNLHarness.runReference(DNNLHarness.node(activation, inputs: 1), opset: 14, inputs: [expected])
        }
        let attributes: [String: Attribute] = activation.isEmpty ? [:] : ["activation": .string(activation)]
        let node = DNNLHarness.node("FusedMatMul", domain: "ai.switchyard", inputs: 3, attributes: attributes)
        try DNNLHarness.check(node, opset: 1, inputs: [a, b, bias], constantIndices: [1, 2], expected: expected)
        try DNNLHarness.check(node, opset: 1, inputs: [a, b, bias], constantIndices: [1, 2])
    }

    @Test("Gemm with transposes, alpha, beta and every C broadcast",
          arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemm(transA: Bool, transB: Bool) throws {
        var generator = SeededGenerator(seed: 43)
        let (m, k, n) = (5, 7, 6)
        let a = generator.tensor(transA ? [k, m] : [m, k]), b = generator.tensor(transB ? [n, k] : [k, n])
        for cShape in [[m, n], [n], [1, n], [m, 1], [], [1, 1]] {
            for (alpha, beta) in [(Float(1), Float(1)), (0.5, 2), (1.5, 0)] {
                let node = DNNLHarness.node("Gemm", inputs: 3, attributes: [
                    "transA": .int(transA ? 1 : 0), "transB": .int(transB ? 1 : 0), "alpha": .float(alpha), "beta": .float(beta),
                ])
                let inputs: [Tensor?] = [a, b, generator.tensor(cShape)]
                try DNNLHarness.check(node, opset: 13, inputs: inputs, constantIndices: [1, 2])
                if cShape == [m, n] || beta == 1 { try DNNLHarness.check(node, opset: 13, inputs: inputs) }
            }
        }
        let noC = DNNLHarness.node("Gemm", inputs: 2, attributes: ["transA": .int(transA ? 1 : 0), "transB": .int(transB ? 1 : 0)])
        try DNNLHarness.check(noC, opset: 13, inputs: [a, b], constantIndices: [1])
    }
}
