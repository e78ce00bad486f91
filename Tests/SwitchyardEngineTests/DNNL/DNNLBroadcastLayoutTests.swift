import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Binary operators whose second operand broadcasts (a scalar constant, a pooled `[N, C, 1, 1]`)
/// stay in the convolutions' layout (`DNNLBinaryOperation.lowerInFirstLayout`): a QDQ model's
/// HardSwish, `x · (x + 3) / 6` with a FakeQuantize after each step, and its squeeze-excitation
/// no longer reorder the whole tensor to plain and back around every step.
@Suite("DNNL broadcasts in blocked layouts")
struct DNNLBroadcastLayoutTests {
    /// `(y + 3) · (y / divisor)` of a convolution's output `y` (read twice, so neither step folds
    /// into it), a squeeze-excitation multiply by its own global average, and a convolution.
    static func graph(divisor: Float, seed: UInt64) -> Graph {
        var generator = SeededGenerator(seed: seed)
        let pads: [String: Attribute] = ["pads": .ints([1, 1, 1, 1])]
        var graph = Graph(name: "broadcasts", nodes: [
            Node(name: "conv1", opType: "Conv", inputs: ["x", "w1"], outputs: ["y"], attributes: pads),
            Node(name: "shift", opType: "Add", inputs: ["y", "three"], outputs: ["shifted"]),
            Node(name: "scale", opType: "Div", inputs: ["y", "divisor"], outputs: ["scaled"]),
            Node(name: "gate", opType: "Mul", inputs: ["shifted", "scaled"], outputs: ["gated"]),
            Node(name: "pool", opType: "GlobalAveragePool", inputs: ["gated"], outputs: ["pooled"]),
            Node(name: "excite", opType: "Mul", inputs: ["gated", "pooled"], outputs: ["excited"]),
            Node(name: "conv2", opType: "Conv", inputs: ["excited", "w2"], outputs: ["z"], attributes: pads),
        ], inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(2), .fixed(8), .fixed(6), .fixed(10)])],
        outputs: [ValueInfo(name: "z")], initializers: [
            "w1": generator.tensor([16, 8, 3, 3], in: -0.3...0.3), "w2": generator.tensor([8, 16, 3, 3], in: -0.3...0.3),
            "three": Tensor(scalar: Float(3)), "divisor": Tensor(scalar: divisor),
        ])
        ShapeInference.annotate(&graph, opsets: DNNLDataMovementTests.opsets)
        return graph
    }

    @Test("scalar and pooled broadcasts match the reference without reordering the convolution's output",
          arguments: [Float(6), 0.7])
    func broadcastsKeepTheLayout(divisor: Float) throws {
        var generator = SeededGenerator(seed: 141)
        let result = try DNNLDataMovementTests.compiled(Self.graph(divisor: divisor, seed: 142),
                                                        x: generator.tensor([2, 8, 6, 10]))
        #expect(result.error <= 1e-4)
        // Eight steps: the input into the convolutions' layout, the two convolutions, the Div (a
        // multiply by the reciprocal), the Add with the gate's Mul as its post-op, the pooling, the
        // squeeze-excitation multiply, and the output back to plain. Each broadcast run in plain
        // layout added a reorder there and back.
        let names = result.kernel.implementationNames
        #expect(names.count <= 8, "steps: \(names)")
    }
}
